package io.tapflow.protocols.mqtt;

import io.tapflow.protocols.ByteReader;

/**
 * A bounded cursor over the captured bytes of one MQTT packet, with MQTT's own encodings: the variable byte
 * integer and u16-prefixed strings. Reading past the limit never throws: it clears {@link #ok()} and returns zeros
 * or null, so callers read a whole structure and check once.
 */
final class MqttReader extends ByteReader {

    MqttReader(byte[] buf, int pos, int limit) {
        super(buf, pos, limit);
    }

    /** Variable byte integer (remaining length, property lengths), at most 4 bytes. */
    int varint() {
        int v = 0;
        for (int shift = 0; shift <= 21; shift += 7) {
            int b = u8();
            if (!ok()) {
                return 0;
            }
            v |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        fail();
        return 0;
    }

    /** UTF-8 encoded string: u16 length + bytes. */
    String string() {
        return utf8(u16());
    }

    /** Binary data or a string not kept: u16 length + bytes. */
    void skipString() {
        skip(u16());
    }
}
