package io.tapflow.schema.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WireFormatTest {

    @Test
    void encodesMagicByteThenBigEndianIdThenBody() {
        byte[] encoded = WireFormat.encode(0x01020304, new byte[] {42, 43});

        assertThat(encoded).containsExactly(0, 1, 2, 3, 4, 42, 43);
        assertThat(WireFormat.header(0x01020304)).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void decodesTheIdItEncoded() {
        for (int id : new int[] {0, 1, 255, 256, 65_536, Integer.MAX_VALUE, -1}) {
            byte[] encoded = WireFormat.encode(id, new byte[] {7});
            assertThat(WireFormat.schemaId("t", encoded)).isEqualTo(id);
            assertThat(WireFormat.bodyLength(encoded)).isEqualTo(1);
        }
    }

    @Test
    void headerOnlyMessageHasAnEmptyBody() {
        byte[] encoded = WireFormat.encode(9, new byte[0]);
        assertThat(WireFormat.schemaId("t", encoded)).isEqualTo(9);
        assertThat(WireFormat.bodyLength(encoded)).isZero();
    }

    @Test
    void fewerThanFiveBytesIsTruncated() {
        for (int length = 0; length < WireFormat.HEADER_LENGTH; length++) {
            byte[] tooShort = new byte[length];
            assertThatThrownBy(() -> WireFormat.schemaId("tapflow.raw.process", tooShort))
                    .isInstanceOf(TruncatedMessageException.class)
                    .hasMessageContaining("topic tapflow.raw.process")
                    .hasMessageContaining(length + " bytes is too short");
        }
    }

    @Test
    void wrongMagicByteIsNotWireFormat() {
        byte[] json = "{\"a\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        assertThatThrownBy(() -> WireFormat.schemaId("orders", json))
                .isInstanceOfSatisfying(UnknownMagicByteException.class,
                        e -> assertThat(e.magicByte()).isEqualTo((byte) '{'))
                .hasMessageContaining("topic orders")
                .hasMessageContaining("0x7b")
                .hasMessageContaining("not Confluent wire format");
    }
}
