package io.tapflow.protocols.http1;

import io.tapflow.protocols.ParserOptions;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header names the HTTP/1 decoder acts on, indexed by length so that a header line is classified by one length
 * lookup and, rarely, a byte comparison: the decoder never builds a String for a header it does not emit.
 */
final class Http1HeaderTable implements Serializable {

    static final int HOST = 1;
    static final int CONTENT_LENGTH = 2;
    static final int TRANSFER_ENCODING = 3;
    static final int CONTENT_TYPE = 4;
    static final int UPGRADE = 5;
    /** A trace or request-id header, fed to {@link io.tapflow.protocols.TraceHeaders.Collector}. */
    static final int TRACE = 6;
    /** Only a configured extra header (see {@link Entry#attributeKey}). */
    static final int EXTRA = 7;

    /** One known name: what the decoder does with it and, for configured headers, its attribute key. */
    static final class Entry implements Serializable {
        final byte[] lowerName;
        final String name;
        final int hash;
        /**
         * The name as little-endian words, and per word the bits {@code | 0x20} folds to lower case (letters only,
         * so that other bytes must match exactly, as {@link #equalsLower} has them).
         */
        final long[] words;
        final long[] folds;
        final int kind;
        /** W3C traceparent: offered to the trace collector as bytes. */
        final boolean traceparent;
        /** The request-id header (and no trace header): its value goes to the collector without a name lookup. */
        boolean requestId;
        String requestAttributeKey;
        String responseAttributeKey;
        /** Index of a configured header among them (for the decoder's cache of its last value), else -1. */
        int attributeIndex = -1;

        Entry(String name, int kind) {
            this.name = name;
            this.lowerName = name.getBytes(StandardCharsets.ISO_8859_1);
            this.kind = kind;
            this.traceparent = kind == TRACE && name.equals("traceparent");
            this.hash = lowerName.length == 0 ? 0 : hash(lowerName, 0, lowerName.length);
            // names of 8 bytes or more compare 8 bytes per step: words at 0, 8, ... and a last one ending the name
            int n = lowerName.length < Long.BYTES ? 0 : (lowerName.length + Long.BYTES - 1) / Long.BYTES;
            words = new long[n];
            folds = new long[n];
            for (int k = 0; k < n; k++) {
                int o = wordOffset(k, n, lowerName.length);
                for (int j = Long.BYTES - 1; j >= 0; j--) {
                    byte b = lowerName[o + j];
                    boolean letter = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
                    words[k] = (words[k] << 8) | (b & 0xFFL);
                    folds[k] = (folds[k] << 8) | (letter ? 0x20L : 0);
                }
            }
        }
    }

    private static final int MAX_LEN = 64;
    /**
     * Open addressing by the case-folded {@link #hash} of the name: a name the decoder does not act on costs one
     * probe, not a comparison per known name of the same length.
     */
    private final Entry[] slots;
    private final int shift;
    /**
     * By name length {@code n < 64}: bit {@code (b | 0x20) % 64} set when a known name of {@code n} bytes begins
     * with byte {@code b} (letters folded to lower case). Most names of a typical head are rejected by their length
     * and first byte alone, before hashing: Accept, Server, Connection (not User-Agent), Date (not Host),
     * Cache-Control (not Uber-Trace-Id).
     */
    private final long[] firstBytes = new long[Long.SIZE];
    /** Configured headers (see {@link Entry#attributeIndex}). */
    private int attributes;

    Http1HeaderTable(ParserOptions options) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        entries.put("host", new Entry("host", HOST));
        entries.put("content-length", new Entry("content-length", CONTENT_LENGTH));
        entries.put("transfer-encoding", new Entry("transfer-encoding", TRANSFER_ENCODING));
        entries.put("content-type", new Entry("content-type", CONTENT_TYPE));
        entries.put("upgrade", new Entry("upgrade", UPGRADE));
        List<String> traceNames = List.of("traceparent", "b3", "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid",
                "uber-trace-id", "sw8");
        for (String t : traceNames) {
            entries.putIfAbsent(t, new Entry(t, TRACE));
        }
        String id = options.requestIdHeader();
        if (!entries.containsKey(id)) {
            Entry e = new Entry(id, TRACE);
            e.requestId = true;
            entries.put(id, e);
        }
        for (String h : options.extraHeaders()) {
            Entry e = entries.computeIfAbsent(h, n -> new Entry(n, EXTRA));
            e.requestAttributeKey = "http.request.header." + h;
            e.responseAttributeKey = "http.response.header." + h;
            if (e.attributeIndex < 0) {
                e.attributeIndex = attributes++;
            }
        }
        int size = Integer.highestOneBit(Math.max(entries.size(), 1) * 4 - 1) << 1;
        slots = new Entry[size];
        shift = 32 - Integer.numberOfTrailingZeros(size);
        for (Entry e : entries.values()) {
            if (e.lowerName.length <= MAX_LEN && !e.name.isEmpty()) {
                if (e.lowerName.length < Long.SIZE) {
                    firstBytes[e.lowerName.length] |= 1L << (e.lowerName[0] | 0x20);
                }
                int i = slot(e.hash);
                while (slots[i] != null) {
                    i = (i + 1) & (slots.length - 1);
                }
                slots[i] = e;
            }
        }
    }

    /** How many configured headers are emitted as attributes. */
    int attributes() {
        return attributes;
    }

    /**
     * Hash of the non-empty name {@code a[off, off+len)} from its length and three of its bytes, ASCII letters
     * folded to lower case ({@code | 0x20}; other bytes may collide, which the byte comparison after the probe
     * sorts out). Constant time: the names of the headers an HTTP/1 decoder ignores are never read whole.
     */
    static int hash(byte[] a, int off, int len) {
        int h = len;
        h = 31 * h + (a[off] | 0x20);
        h = 31 * h + (a[off + (len >> 1)] | 0x20);
        return 31 * h + (a[off + len - 1] | 0x20);
    }

    private int slot(int hash) {
        return (hash * 0x9E3779B9) >>> shift;
    }

    /** The entry of the header name {@code a[off, off+len)} (any case, {@code len > 0}), or null. */
    Entry lookup(byte[] a, int off, int len) {
        if (len < Long.SIZE ? (firstBytes[len] & (1L << (a[off] | 0x20))) == 0 : len > MAX_LEN) {
            return null;
        }
        int hash = hash(a, off, len);
        for (int i = slot(hash); ; i = (i + 1) & (slots.length - 1)) {
            Entry e = slots[i];
            if (e == null) {
                return null;
            }
            if (e.hash == hash && e.lowerName.length == len && sameName(e, a, off)) {
                return e;
            }
        }
    }

    /** {@link #equalsLower} against an entry's name, 8 bytes per step for names of 8 bytes or more. */
    static boolean sameName(Entry e, byte[] a, int off) {
        long[] words = e.words;
        if (words.length == 0) {
            return equalsLower(a, off, e.lowerName);
        }
        long[] folds = e.folds;
        for (int k = 0; k < words.length; k++) {
            int o = wordOffset(k, words.length, e.lowerName.length);
            if ((Http1HeadParser.word(a, off + o) | folds[k]) != words[k]) {
                return false;
            }
        }
        return true;
    }

    private static int wordOffset(int k, int words, int len) {
        return k < words - 1 ? k * Long.BYTES : len - Long.BYTES;
    }

    /** True when {@code a[off, off+lower.length)} equals {@code lower} ignoring ASCII case. */
    static boolean equalsLower(byte[] a, int off, byte[] lower) {
        for (int i = 0; i < lower.length; i++) {
            if (toLower(a[off + i]) != lower[i]) {
                return false;
            }
        }
        return true;
    }

    static byte toLower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }
}
