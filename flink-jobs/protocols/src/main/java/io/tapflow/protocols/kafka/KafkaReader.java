package io.tapflow.protocols.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A bounded big-endian cursor over the captured bytes of one Kafka message. Reading past the limit (the message
 * end or the end of what was captured) never throws: it clears {@link #ok} and returns zeros, so callers read a
 * whole structure and check once.
 */
final class KafkaReader {

    private static final Base64.Encoder UUID_TEXT = Base64.getUrlEncoder().withoutPadding();

    private final byte[] buf;
    private int pos;
    private final int limit;
    boolean ok = true;

    KafkaReader(byte[] buf, int pos, int limit) {
        this.buf = buf;
        this.pos = pos;
        this.limit = limit;
    }

    private boolean has(long n) {
        if (ok && n >= 0 && limit - pos >= n) {
            return true;
        }
        ok = false;
        return false;
    }

    int int8() {
        return has(1) ? buf[pos++] : 0;
    }

    int int16() {
        if (!has(2)) {
            return 0;
        }
        int v = (short) (((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF));
        pos += 2;
        return v;
    }

    int int32() {
        if (!has(4)) {
            return 0;
        }
        int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8)
                | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    /** Unsigned varint (KIP-482 compact lengths and tags), at most 5 bytes. */
    long uvarint() {
        long v = 0;
        for (int shift = 0; shift <= 28; shift += 7) {
            if (!has(1)) {
                return 0;
            }
            int b = buf[pos++] & 0xFF;
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        ok = false;
        return 0;
    }

    void skip(long n) {
        if (has(n)) {
            pos += (int) n;
        }
    }

    /** STRING / NULLABLE_STRING (int16 length, -1 = null). */
    String string() {
        int len = int16();
        return len < 0 ? null : text(len);
    }

    /** COMPACT_STRING / COMPACT_NULLABLE_STRING (uvarint length + 1, 0 = null). */
    String compactString() {
        long len = uvarint() - 1;
        return len < 0 ? null : text(len);
    }

    /** ARRAY length (int32, -1 = null → 0). */
    int arrayLength() {
        int n = int32();
        if (n < -1) {
            ok = false;
        }
        return Math.max(n, 0);
    }

    /** COMPACT_ARRAY length (uvarint length + 1, 0 = null → 0). */
    int compactArrayLength() {
        long n = uvarint() - 1;
        if (n > Integer.MAX_VALUE) {
            ok = false;
            return 0;
        }
        return (int) Math.max(n, 0);
    }

    /** A TAGGED_FIELDS section: count, then (tag, size, bytes) each. */
    void skipTaggedFields() {
        long count = uvarint();
        for (long i = 0; i < count && ok; i++) {
            uvarint();
            skip(uvarint());
        }
    }

    /** A topic id (UUID) as Kafka prints it: URL-safe base64 without padding. */
    String uuid() {
        if (!has(16)) {
            return null;
        }
        byte[] id = new byte[16];
        System.arraycopy(buf, pos, id, 0, 16);
        pos += 16;
        return UUID_TEXT.encodeToString(id);
    }

    private String text(long len) {
        if (!has(len)) {
            return null;
        }
        String s = new String(buf, pos, (int) len, StandardCharsets.UTF_8);
        pos += (int) len;
        return s;
    }
}
