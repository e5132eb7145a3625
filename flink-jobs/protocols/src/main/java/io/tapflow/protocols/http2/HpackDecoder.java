package io.tapflow.protocols.http2;

import io.tapflow.protocols.StateFormats;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * HPACK header block decoder (RFC 7541) for one direction of one connection: static table, dynamic table with
 * size updates, Huffman strings.
 *
 * <p><b>Table size.</b> The limit on a direction's table is the {@code SETTINGS_HEADER_TABLE_SIZE} its receiver
 * advertised, i.e. a SETTINGS frame travelling the other way, which this per-direction decoder never sees. It does
 * not need to: RFC 7541 §4.2 obliges the encoder to announce every change of the size it uses with a dynamic
 * table size update at the start of the next block, and those updates are what evict entries. Without one the
 * size stays 4096. Updates beyond {@code hardLimit} (a memory bound, not a protocol rule) make the state lost.
 *
 * <p><b>Lost state.</b> A header block that was not (fully) captured may have inserted entries: from then on
 * dynamic indices cannot be resolved. The decoder then delivers only the fields that do not touch the dynamic
 * table (static indices, literals with literal or static names) and reports {@link Result#PARTIAL}. A size update
 * to 0 empties the table, which makes the state known again.
 *
 * <p>Header strings are decoded as ISO-8859-1 so that a string's length is its size in octets (HPACK sizes are
 * octets); HTTP/2 field values are octets anyway.
 */
final class HpackDecoder implements Serializable {

    /** Receives the decoded fields of one block, in order. */
    interface Listener {
        void header(String name, String value);
    }

    /** Outcome of decoding one header block. */
    enum Result {
        /** Every field was decoded. */
        DECODED,
        /** The state was lost before or during the block; only self-contained fields were delivered. */
        PARTIAL,
        /** The block violates HPACK; the fields before the error were delivered and the state is lost now. */
        MALFORMED
    }

    static final int DEFAULT_TABLE_SIZE = 4096;
    private static final int ENTRY_OVERHEAD = 32;

    private static final String[] STATIC_NAMES = {null,
        ":authority", ":method", ":method", ":path", ":path", ":scheme", ":scheme", ":status", ":status",
        ":status", ":status", ":status", ":status", ":status", "accept-charset", "accept-encoding",
        "accept-language", "accept-ranges", "accept", "access-control-allow-origin", "age", "allow",
        "authorization", "cache-control", "content-disposition", "content-encoding", "content-language",
        "content-length", "content-location", "content-range", "content-type", "cookie", "date", "etag", "expect",
        "expires", "from", "host", "if-match", "if-modified-since", "if-none-match", "if-range",
        "if-unmodified-since", "last-modified", "link", "location", "max-forwards", "proxy-authenticate",
        "proxy-authorization", "range", "referer", "refresh", "retry-after", "server", "set-cookie",
        "strict-transport-security", "transfer-encoding", "user-agent", "vary", "via", "www-authenticate"};
    static final int STATIC_COUNT = 61;
    /** Values of the static table; entries 17..61 have an empty value. */
    private static final String[] STATIC_VALUES = new String[STATIC_COUNT + 1];

    static {
        String[] first = {"", "GET", "POST", "/", "/index.html", "http", "https", "200", "204", "206", "304", "400",
            "404", "500", "", "gzip, deflate"};
        java.util.Arrays.fill(STATIC_VALUES, 1, STATIC_COUNT + 1, "");
        System.arraycopy(first, 0, STATIC_VALUES, 1, first.length);
        if (STATIC_NAMES.length != STATIC_COUNT + 1) {
            throw new IllegalStateException("HPACK static table has " + (STATIC_NAMES.length - 1) + " names");
        }
    }

    private final int hardLimit;
    private int maxSize = DEFAULT_TABLE_SIZE;
    private int size;
    // ring of entries, newest at head; capacity a power of two
    private String[] names = new String[16];
    private String[] values = new String[16];
    private int head = -1;
    private int count;
    private boolean lost;
    private byte[] scratch = new byte[128];
    private int pos;

    /** @param hardLimit largest table size accepted from a size update (bounds memory) */
    HpackDecoder(int hardLimit) {
        this.hardLimit = Math.max(DEFAULT_TABLE_SIZE, hardLimit);
    }

    /** Forgets the table because a block was missed: later dynamic references cannot be resolved. */
    void invalidate() {
        lost = true;
        clearTable();
    }

    boolean lost() {
        return lost;
    }

    /** Current size of the dynamic table in octets (entries + 32 each). */
    int tableSize() {
        return size;
    }

    /** Current maximum size of the dynamic table, as set by the last size update. */
    int maxTableSize() {
        return maxSize;
    }

    /** Decodes one complete header block {@code b[off, off+len)}. Never throws on any input. */
    Result decode(byte[] b, int off, int len, Listener listener) {
        pos = off;
        int end = off + len;
        boolean fieldSeen = false;
        boolean partial = lost;
        while (pos < end) {
            int first = b[pos] & 0xFF;
            if ((first & 0x80) != 0) {
                long index = integer(b, end, 7);
                if (index <= 0) {
                    return fail();
                }
                fieldSeen = true;
                if (index <= STATIC_COUNT) {
                    listener.header(STATIC_NAMES[(int) index], STATIC_VALUES[(int) index]);
                } else if (lost) {
                    partial = true;
                } else if (index - STATIC_COUNT > count) {
                    return fail();
                } else {
                    int slot = slot((int) (index - STATIC_COUNT));
                    listener.header(names[slot], values[slot]);
                }
            } else if ((first & 0xE0) == 0x20) {
                // dynamic table size update: only before the first field (§4.2)
                long newSize = integer(b, end, 5);
                if (newSize < 0 || fieldSeen || newSize > hardLimit) {
                    return fail();
                }
                if (newSize == 0 && lost) {
                    lost = false;
                    partial = false;
                }
                maxSize = (int) newSize;
                evictTo(maxSize);
            } else {
                // literal: 01 incremental indexing (6-bit name index), 0000 without / 0001 never indexed (4-bit)
                boolean indexing = (first & 0xC0) == 0x40;
                long nameIndex = integer(b, end, indexing ? 6 : 4);
                if (nameIndex < 0) {
                    return fail();
                }
                fieldSeen = true;
                String name;
                boolean nameKnown = true;
                if (nameIndex == 0) {
                    name = string(b, end);
                    if (name == null) {
                        return fail();
                    }
                } else if (nameIndex <= STATIC_COUNT) {
                    name = STATIC_NAMES[(int) nameIndex];
                } else if (lost) {
                    name = null;
                    nameKnown = false;
                } else if (nameIndex - STATIC_COUNT > count) {
                    return fail();
                } else {
                    name = names[slot((int) (nameIndex - STATIC_COUNT))];
                }
                String value = string(b, end);
                if (value == null) {
                    return fail();
                }
                if (!nameKnown) {
                    partial = true;
                    continue;
                }
                listener.header(name, value);
                if (indexing && !lost) {
                    add(name, value);
                }
            }
        }
        return partial ? Result.PARTIAL : Result.DECODED;
    }

    private Result fail() {
        invalidate();
        return Result.MALFORMED;
    }

    /** HPACK integer with an N-bit prefix at {@code pos} (§5.1); -1 when truncated or beyond 2^28. */
    private long integer(byte[] b, int end, int prefixBits) {
        int mask = (1 << prefixBits) - 1;
        long value = b[pos++] & mask;
        if (value < mask) {
            return value;
        }
        int shift = 0;
        while (pos < end) {
            int next = b[pos++] & 0xFF;
            value += (long) (next & 0x7F) << shift;
            if ((next & 0x80) == 0) {
                return value;
            }
            shift += 7;
            if (shift > 28) {
                return -1;
            }
        }
        return -1;
    }

    /** String literal at {@code pos} (§5.2); null when it overruns the block or its Huffman code is invalid. */
    private String string(byte[] b, int end) {
        if (pos >= end) {
            return null;
        }
        boolean huffman = (b[pos] & 0x80) != 0;
        long len = integer(b, end, 7);
        if (len < 0 || len > end - pos) {
            return null;
        }
        int start = pos;
        pos += (int) len;
        if (!huffman) {
            return new String(b, start, (int) len, StandardCharsets.ISO_8859_1);
        }
        int max = HuffmanDecoder.maxDecodedLength((int) len);
        if (scratch.length < max) {
            scratch = new byte[Math.max(max, scratch.length * 2)];
        }
        int n = HuffmanDecoder.decode(b, start, (int) len, scratch);
        return n < 0 ? null : new String(scratch, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** Writes the dynamic table (its size limit, whether it is lost, its entries oldest first) for a state format. */
    void writeState(DataOutput out) throws IOException {
        out.writeInt(maxSize);
        out.writeBoolean(lost);
        out.writeInt(count);
        for (int i = count; i >= 1; i--) {
            int s = slot(i);
            StateFormats.writeString(out, names[s]);
            StateFormats.writeString(out, values[s]);
        }
    }

    /** Reads what {@link #writeState} wrote: the entries are added again in their order, as the peer added them. */
    void readState(DataInput in) throws IOException {
        clearTable();
        maxSize = in.readInt();
        lost = in.readBoolean();
        for (int n = in.readInt(); n > 0; n--) {
            String name = StateFormats.readString(in);
            String value = StateFormats.readString(in);
            if (name == null || value == null) {
                throw new IOException("HPACK table entry without a name or value");
            }
            add(name, value);
        }
    }

    /** Ring slot of dynamic index {@code i} (1 = newest). */
    private int slot(int i) {
        return (head - (i - 1)) & (names.length - 1);
    }

    private void add(String name, String value) {
        int entrySize = name.length() + value.length() + ENTRY_OVERHEAD;
        if (entrySize > maxSize) {
            // §4.4: an entry larger than the table empties it and is not added
            clearTable();
            return;
        }
        evictTo(maxSize - entrySize);
        if (count == names.length) {
            grow();
        }
        head = (head + 1) & (names.length - 1);
        names[head] = name;
        values[head] = value;
        count++;
        size += entrySize;
    }

    private void evictTo(int limit) {
        while (size > limit && count > 0) {
            int oldest = slot(count);
            size -= names[oldest].length() + values[oldest].length() + ENTRY_OVERHEAD;
            names[oldest] = null;
            values[oldest] = null;
            count--;
        }
    }

    private void grow() {
        String[] n = new String[names.length * 2];
        String[] v = new String[names.length * 2];
        for (int i = count; i >= 1; i--) {
            int s = slot(i);
            n[count - i] = names[s];
            v[count - i] = values[s];
        }
        names = n;
        values = v;
        head = count - 1;
    }

    private void clearTable() {
        for (int i = 0; i < names.length; i++) {
            names[i] = null;
            values[i] = null;
        }
        count = 0;
        size = 0;
        head = -1;
    }
}
