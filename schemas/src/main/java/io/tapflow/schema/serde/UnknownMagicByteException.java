package io.tapflow.schema.serde;

/** The first byte is not the Confluent magic byte 0: the record was not written with a registry-aware serde. */
public class UnknownMagicByteException extends WireFormatException {

    private final byte magicByte;

    public UnknownMagicByteException(byte magicByte, String message) {
        super(message);
        this.magicByte = magicByte;
    }

    public byte magicByte() {
        return magicByte;
    }
}
