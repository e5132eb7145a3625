package io.tapflow.schema.serde;

import java.nio.ByteBuffer;

/**
 * Confluent's wire format: magic byte {@code 0}, the schema id as a 4-byte big-endian int, then the Avro binary
 * body. Pure functions, no I/O.
 */
public final class WireFormat {

    public static final byte MAGIC_BYTE = 0;
    /** Magic byte plus schema id. */
    public static final int HEADER_LENGTH = 5;

    private WireFormat() {
    }

    /** Header followed by {@code body}. */
    public static byte[] encode(int schemaId, byte[] body) {
        return ByteBuffer.allocate(HEADER_LENGTH + body.length)
                .put(MAGIC_BYTE)
                .putInt(schemaId)
                .put(body)
                .array();
    }

    /** Just the 5 header bytes, for writers that stream the body after it. */
    public static byte[] header(int schemaId) {
        byte[] header = new byte[HEADER_LENGTH];
        putHeader(header, 0, schemaId);
        return header;
    }

    /** Writes the 5 header bytes into {@code dst} at {@code at}, for writers with a buffer of their own. */
    public static void putHeader(byte[] dst, int at, int schemaId) {
        dst[at] = MAGIC_BYTE;
        dst[at + 1] = (byte) (schemaId >>> 24);
        dst[at + 2] = (byte) (schemaId >>> 16);
        dst[at + 3] = (byte) (schemaId >>> 8);
        dst[at + 4] = (byte) schemaId;
    }

    /**
     * The schema id of a wire-format message, after checking length and magic byte.
     *
     * @param topic only used in error messages (may be null)
     * @throws TruncatedMessageException fewer than {@link #HEADER_LENGTH} bytes
     * @throws UnknownMagicByteException the first byte is not {@link #MAGIC_BYTE}
     */
    public static int schemaId(String topic, byte[] message) {
        if (message.length < HEADER_LENGTH) {
            throw new TruncatedMessageException(where(topic) + "record of " + message.length
                    + " bytes is too short for the Confluent wire format (needs at least " + HEADER_LENGTH
                    + " bytes: magic byte + 4-byte schema id)");
        }
        if (message[0] != MAGIC_BYTE) {
            throw new UnknownMagicByteException(message[0], where(topic) + String.format(
                    "unknown magic byte 0x%02x (expected 0x00): this is not Confluent wire format"
                            + " (was the record written without a schema-registry serializer?)", message[0]));
        }
        return ByteBuffer.wrap(message, 1, 4).getInt();
    }

    /** Length of the Avro body of a message whose header {@link #schemaId} accepted. */
    public static int bodyLength(byte[] message) {
        return message.length - HEADER_LENGTH;
    }

    private static String where(String topic) {
        return topic == null ? "" : "topic " + topic + ": ";
    }
}
