package io.tapflow.protocols.kafka;

import io.tapflow.protocols.ByteReader;
import java.util.Base64;

/**
 * A bounded big-endian cursor over the captured bytes of one Kafka message, with Kafka's own encodings: int16- and
 * unsigned-varint-prefixed strings and arrays, tagged fields, topic ids. Reading past the limit (the message end or
 * the end of what was captured) never throws: it clears {@link #ok()} and returns zeros, so callers read a whole
 * structure and check once.
 */
final class KafkaReader extends ByteReader {

    private static final Base64.Encoder UUID_TEXT = Base64.getUrlEncoder().withoutPadding();

    KafkaReader(byte[] buf, int pos, int limit) {
        super(buf, pos, limit);
    }

    /** Unsigned varint (KIP-482 compact lengths and tags), at most 5 bytes. */
    long uvarint() {
        long v = 0;
        for (int shift = 0; shift <= 28; shift += 7) {
            int b = u8();
            if (!ok()) {
                return 0;
            }
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        fail();
        return 0;
    }

    /** STRING / NULLABLE_STRING (int16 length, -1 = null). */
    String string() {
        int len = i16();
        return len < 0 ? null : utf8(len);
    }

    /** COMPACT_STRING / COMPACT_NULLABLE_STRING (uvarint length + 1, 0 = null). */
    String compactString() {
        long len = uvarint() - 1;
        return len < 0 ? null : utf8(len);
    }

    /** Skips a STRING / NULLABLE_STRING, or with {@code compact} a COMPACT_(NULLABLE_)STRING, without decoding it. */
    void skipString(boolean compact) {
        long len = compact ? uvarint() - 1 : i16();
        if (len > 0) {
            skip(len);
        }
    }

    /** ARRAY length (int32, -1 = null → 0). */
    int arrayLength() {
        int n = i32();
        if (n < -1) {
            fail();
        }
        return Math.max(n, 0);
    }

    /** COMPACT_ARRAY length (uvarint length + 1, 0 = null → 0). */
    int compactArrayLength() {
        long n = uvarint() - 1;
        if (n > Integer.MAX_VALUE) {
            fail();
            return 0;
        }
        return (int) Math.max(n, 0);
    }

    /** A TAGGED_FIELDS section: count, then (tag, size, bytes) each. */
    void skipTaggedFields() {
        long count = uvarint();
        for (long i = 0; i < count && ok(); i++) {
            uvarint();
            skip(uvarint());
        }
    }

    /** A topic id (UUID) as Kafka prints it: URL-safe base64 without padding. */
    String uuid() {
        byte[] id = bytes(16);
        return id == null ? null : UUID_TEXT.encodeToString(id);
    }
}
