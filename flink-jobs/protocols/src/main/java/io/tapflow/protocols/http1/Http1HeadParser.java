package io.tapflow.protocols.http1;

import io.tapflow.protocols.DeferredText;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.MessageKind;
import io.tapflow.protocols.TraceHeaders;
import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.ResponseStatus;
import java.io.Serializable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Decodes the head of one HTTP/1 message (start line and header fields) straight from the decoder's buffer into an
 * {@link L7Message.Builder} plus the framing facts the body decoder needs. Allocates only for what is emitted:
 * the method (a constant for the common ones), host and content type (reused while a connection repeats them) and
 * configured headers as Strings; the target, the reason phrase of errors, the request id and a lone traceparent as
 * {@link DeferredText} (one copy of their bytes, decoded when read); other trace headers as the collector reads
 * them. Reused for every message of a direction.
 */
final class Http1HeadParser implements Serializable {

    /** Longest method token accepted (WebDAV methods such as VERSION-CONTROL are the longest in use). */
    static final int MAX_METHOD = 24;

    /** Little-endian so that the lowest set bit of a match mask is the first matching byte. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final byte[] CHUNKED = {'c', 'h', 'u', 'n', 'k', 'e', 'd'};
    private static final byte[][] METHOD_BYTES;
    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT",
            "TRACE"};

    /**
     * The boxed status codes 100-999 that {@link L7Message#responseCode()} holds: Integer.valueOf boxes anew above
     * 127, and JFR put ~25% of the samples of decoding 01-get-keepalive on that line.
     */
    private static final Integer[] STATUS_CODES = new Integer[900];

    static {
        for (int i = 0; i < STATUS_CODES.length; i++) {
            STATUS_CODES[i] = 100 + i;
        }
        METHOD_BYTES = new byte[METHODS.length][];
        for (int i = 0; i < METHODS.length; i++) {
            METHOD_BYTES[i] = METHODS[i].getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    /** Content types whose bodies are framed into {@link io.tapflow.protocols.StreamEvent}s. */
    enum EventMode {
        NONE,
        /** {@code text/event-stream}. */
        SSE,
        /** {@code application/x-ndjson}: every non-blank line is an event. */
        NDJSON,
        /** Streamed {@code application/json} (Ollama): lines that hold one JSON object are events. */
        JSON_LINES
    }

    private final Http1HeaderTable table;
    /** One builder per kind, {@link L7Message.Builder#reset reset} for every message: one message at a time. */
    private L7Message.Builder requestBuilder;
    private L7Message.Builder responseBuilder;
    /**
     * The last Host (without port) and Content-Type values and their bytes: a connection repeats them message
     * after message, so equal bytes reuse the String instead of decoding it again.
     */
    private final ValueCache hosts = new ValueCache();
    private final ValueCache contentTypes = new ValueCache();
    /** By {@link Http1HeaderTable.Entry#attributeIndex}: the last value of each configured header. */
    private ValueCache[] attributeValues;
    /**
     * Reused for every message ({@link TraceHeaders.Collector#reset}); {@link #traced} says it holds one. A message
     * whose only trace header is one traceparent leaves it to {@link #deferred} instead ({@link #traceparentFrom}):
     * the collector decides among several headers, a lone traceparent needs no decision.
     */
    private final TraceHeaders.Collector trace;
    private boolean traced;
    /** The head's first traceparent value {@code [traceparentFrom, traceparentTo)} while no other trace header came. */
    private int traceparentFrom;
    private int traceparentTo;
    /**
     * Used only within one {@link #parse} call, so not part of a decoder's serialized state (the flow job keeps
     * decoders in keyed state): created again after a restore.
     */
    private transient DeferredText.Builder deferred;

    // results of the last parse
    L7Message.Builder builder;
    String method;
    int status;
    long contentLength;
    boolean chunked;
    String upgrade;
    EventMode eventMode;
    String error;
    /** The last Content-Type value of the head, or null. */
    private String contentType;
    /** The event mode of {@link #contentType}. */
    private EventMode contentTypeMode;

    Http1HeadParser(Http1HeaderTable table, String requestIdHeader) {
        this.table = table;
        this.trace = new TraceHeaders.Collector(requestIdHeader);
    }

    /**
     * Quick check of the first bytes of a message so that garbage is rejected before a whole head is awaited.
     *
     * @return true unless the bytes cannot begin a start line
     */
    static boolean plausibleStart(byte[] a, int s, int c, boolean request) {
        if (request) {
            int n = Math.min(c, MAX_METHOD + 1);
            for (int i = 0; i < n; i++) {
                byte b = a[s + i];
                if (b == ' ') {
                    return i > 0;
                }
                if (!isMethodChar(b)) {
                    return false;
                }
            }
            return c <= MAX_METHOD;
        }
        int n = Math.min(c, 7);
        for (int i = 0; i < n; i++) {
            if (a[s + i] != "HTTP/1.".charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static boolean isMethodChar(byte b) {
        return (b >= 'A' && b <= 'Z') || b == '-' || b == '_';
    }

    /** The constant name of a common method at {@code a[off, off+len)}, or null. */
    static String knownMethod(byte[] a, int off, int len) {
        for (int i = 0; i < METHOD_BYTES.length; i++) {
            byte[] m = METHOD_BYTES[i];
            if (m.length == len && sameBytes(a, off, m)) {
                return METHODS[i];
            }
        }
        return null;
    }

    /**
     * {@code a[off, off+m.length)} equals {@code m}; a plain loop, since Arrays.equals' out-of-line mismatch call
     * costs more than comparing a method name of 3 to 7 bytes (it showed in the profile).
     */
    private static boolean sameBytes(byte[] a, int off, byte[] m) {
        for (int i = 0; i < m.length; i++) {
            if (a[off + i] != m[i]) {
                return false;
            }
        }
        return true;
    }

    /** {@link #parse} result: the bytes end before the head's empty line. */
    static final int INCOMPLETE = -1;
    /** {@link #parse} result: a line of the head is malformed ({@link #error} says why). */
    static final int MALFORMED = -2;

    private static final long COLON = pattern((byte) ':');
    private static final long LF = pattern((byte) '\n');

    /**
     * Parses the head at {@code a[s, limit)} in one pass: each line's end, its header name and the values kept are
     * found as the line is read, so the bytes are not scanned once for the end of the head and again per line.
     * A head ends at its first empty line (a '\n' right after the previous one or after one '\r').
     *
     * @return the head's length (through its empty line), {@link #INCOMPLETE} when {@code a[s, limit)} ends first,
     *     or {@link #MALFORMED} at the first bad line before the end (a caller that must not judge a head before it
     *     is complete finds its end first and parses again up to it)
     */
    int parse(byte[] a, int s, int limit, boolean request) {
        builder = null;
        method = null;
        status = 0;
        contentLength = -1;
        chunked = false;
        upgrade = null;
        eventMode = EventMode.NONE;
        contentType = null;
        traced = false; // a previous parse may have stopped at a malformed line
        traceparentFrom = -1;
        if (deferred == null) {
            deferred = new DeferredText.Builder();
        }
        deferred.reset();
        int len = parseLines(a, s, limit, request);
        if (len < 0) {
            deferred.reset(); // holds no reference to the decoder's buffer until the next head
        }
        return len;
    }

    private int parseLines(byte[] a, int s, int limit, boolean request) {
        int eol = indexOf(a, s, limit, (byte) '\n');
        if (eol < 0) {
            return INCOMPLETE;
        }
        int lineLen = trimCr(a, s, eol);
        boolean ok = request ? requestLine(a, s, lineLen) : statusLine(a, s, lineLen);
        if (!ok) {
            return MALFORMED;
        }
        int p = eol + 1;
        while (true) {
            if (p >= limit) {
                return INCOMPLETE;
            }
            byte first = a[p];
            if (first == '\n' || (first == '\r' && p + 1 < limit && a[p + 1] == '\n')) {
                break; // the empty line
            }
            int colon = colonOrLf(a, p, limit);
            if (colon < 0) {
                return INCOMPLETE;
            }
            boolean folded = first == ' ' || first == '\t';
            if (a[colon] == '\n') {
                if (folded) {
                    p = colon + 1;
                    continue;
                }
                error = "header line without a name";
                return MALFORMED;
            }
            eol = indexOf(a, colon + 1, limit, (byte) '\n');
            if (eol < 0) {
                return INCOMPLETE;
            }
            if (folded) {
                p = eol + 1;
                continue; // obsolete line folding: the continuation belongs to a header we ignore or already have
            }
            if (colon == p) {
                error = "header line without a name";
                return MALFORMED;
            }
            Http1HeaderTable.Entry entry = table.lookup(a, p, colon - p);
            if (entry != null) {
                int ve = a[eol - 1] == '\r' ? eol - 1 : eol;
                if (!value(entry, a, colon + 1, ve, request)) {
                    return MALFORMED;
                }
            }
            p = eol + 1;
        }
        if (traced) {
            builder.traceContext(trace.context());
            if (trace.requestId() != null) {
                builder.xRequestId(trace.requestId());
            }
            traced = false;
        } else if (traceparentFrom >= 0) {
            deferred.traceparent(a, traceparentFrom, traceparentTo);
        }
        builder.deferred(deferred.build());
        if (contentType != null) {
            builder.attribute("http.content_type", contentType);
            eventMode = contentTypeMode;
        }
        return (a[p] == '\n' ? p + 1 : p + 2) - s;
    }

    /** Drops what a parse that threw may have left (the deferred fields refer to the buffer until built). */
    void forget() {
        if (deferred != null) {
            deferred.reset();
        }
    }

    /** Acts on the value {@code a[vs, ve)} (untrimmed) of a known header; false when it is malformed. */
    private boolean value(Http1HeaderTable.Entry entry, byte[] a, int vs, int ve, boolean request) {
        while (vs < ve && (a[vs] == ' ' || a[vs] == '\t')) {
            vs++;
        }
        while (ve > vs && (a[ve - 1] == ' ' || a[ve - 1] == '\t')) {
            ve--;
        }
        switch (entry.kind) {
            case Http1HeaderTable.HOST -> {
                if (request) {
                    builder.requestDomain(host(a, vs, ve));
                }
            }
            case Http1HeaderTable.CONTENT_LENGTH -> {
                long cl = digits(a, vs, ve);
                if (cl < 0) {
                    error = "bad Content-Length";
                    return false;
                }
                contentLength = cl;
            }
            case Http1HeaderTable.TRANSFER_ENCODING -> chunked = endsWithChunked(a, vs, ve);
            case Http1HeaderTable.CONTENT_TYPE -> {
                contentType = contentTypes.get(a, vs, ve);
                contentTypeMode = eventMode(a, vs, ve, contentType);
            }
            case Http1HeaderTable.UPGRADE -> upgrade = utf8(a, vs, ve);
            case Http1HeaderTable.TRACE -> {
                if (entry.requestId) {
                    deferred.xRequestId(a, vs, ve);
                } else if (entry.traceparent && traceparentFrom < 0 && !traced) {
                    traceparentFrom = vs;
                    traceparentTo = ve;
                } else {
                    collectTrace(entry, a, vs, ve);
                }
            }
            default -> {
            }
        }
        String key = request ? entry.requestAttributeKey : entry.responseAttributeKey;
        if (key != null) {
            builder.attribute(key, attributeValue(entry, a, vs, ve));
        }
        return true;
    }

    /**
     * Offers a trace header to the collector, and first the traceparent held back: a head with more than a lone
     * traceparent has its context decided by the collector, from its headers in their order.
     */
    private void collectTrace(Http1HeaderTable.Entry entry, byte[] a, int vs, int ve) {
        if (!traced) {
            trace.reset();
            traced = true;
        }
        if (traceparentFrom >= 0) {
            trace.offerTraceparent(a, traceparentFrom, traceparentTo);
            traceparentFrom = -1;
        }
        if (entry.traceparent) {
            trace.offerTraceparent(a, vs, ve);
        } else {
            trace.offer(entry.name, utf8(a, vs, ve));
        }
    }

    /**
     * Index of the first ':' or '\n' in {@code a[from, to)}, or -1: a header line's name ends at the first of them
     * (a '\n' first means the line has no name), found 8 bytes per step.
     */
    private static int colonOrLf(byte[] a, int from, int to) {
        int i = from;
        for (int last = to - Long.BYTES; i <= last; i += Long.BYTES) {
            long w = word(a, i);
            // the cheap zero-byte test flags false bytes only above a true one, so the lowest flag is exact
            long found = zeroBytes(w ^ COLON) | zeroBytes(w ^ LF);
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (a[i] == ':' || a[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private boolean requestLine(byte[] a, int s, int n) {
        int sp1 = indexOf(a, s, s + n, (byte) ' ');
        // the common line ends with a space and the version: its last space is then known without a search
        String version = n > 9 && a[s + n - 9] == ' ' ? version(a, s + n - 8, s + n) : null;
        int sp2 = version != null ? s + n - 9 : lastIndexOf(a, s, s + n, (byte) ' ');
        if (sp1 <= s || sp1 - s > MAX_METHOD || sp2 <= sp1 + 1) {
            error = "bad request line";
            return false;
        }
        for (int i = s; i < sp1; i++) {
            if (!isMethodChar(a[i])) {
                error = "bad method";
                return false;
            }
        }
        if (version == null) {
            version = version(a, sp2 + 1, s + n);
        }
        if (version == null) {
            error = "not HTTP/1.x";
            return false;
        }
        method = knownMethod(a, s, sp1 - s);
        if (method == null) {
            method = new String(a, s, sp1 - s, StandardCharsets.ISO_8859_1);
        }
        if (requestBuilder == null) {
            requestBuilder = L7Message.builder(L7Protocol.HTTP1, MessageKind.REQUEST);
        }
        builder = requestBuilder.reset().version(version).requestType(method);
        deferred.requestResource(a, sp1 + 1, sp2);
        return true;
    }

    private boolean statusLine(byte[] a, int s, int n) {
        String version = n >= 12 && a[s + 8] == ' ' ? version(a, s, s + 8) : null;
        if (version == null) {
            error = "bad status line";
            return false;
        }
        int code = 0;
        for (int i = s + 9; i < s + 12; i++) {
            if (a[i] < '0' || a[i] > '9') {
                error = "bad status code";
                return false;
            }
            code = code * 10 + (a[i] - '0');
        }
        if (code < 100 || (n > 12 && a[s + 12] != ' ')) {
            error = "bad status code";
            return false;
        }
        status = code;
        ResponseStatus rs = code < 400 ? ResponseStatus.OK
                : code < 500 ? ResponseStatus.CLIENT_ERROR
                : code < 600 ? ResponseStatus.SERVER_ERROR : ResponseStatus.UNKNOWN;
        if (responseBuilder == null) {
            responseBuilder = L7Message.builder(L7Protocol.HTTP1, MessageKind.RESPONSE);
        }
        builder = responseBuilder.reset().version(version).responseCode(STATUS_CODES[code - 100]).responseStatus(rs);
        if (code >= 400 && n > 13) {
            deferred.responseException(a, s + 13, s + n);
        }
        return true;
    }

    /** "1.1" or "1.0" (constants) for {@code HTTP/1.x} at {@code a[from, to)}, else null. */
    private static String version(byte[] a, int from, int to) {
        if (to - from != 8 || a[from] != 'H' || a[from + 1] != 'T' || a[from + 2] != 'T' || a[from + 3] != 'P'
                || a[from + 4] != '/' || a[from + 5] != '1' || a[from + 6] != '.') {
            return null;
        }
        return switch (a[from + 7]) {
            case '1' -> "1.1";
            case '0' -> "1.0";
            default -> null;
        };
    }

    /** The value of a configured header, reused while the connection repeats it (a User-Agent does). */
    private String attributeValue(Http1HeaderTable.Entry entry, byte[] a, int vs, int ve) {
        if (attributeValues == null) {
            attributeValues = new ValueCache[table.attributes()];
        }
        ValueCache c = attributeValues[entry.attributeIndex];
        if (c == null) {
            c = new ValueCache();
            attributeValues[entry.attributeIndex] = c;
        }
        return c.get(a, vs, ve);
    }

    /** Host without port; IPv6 literals lose their brackets. */
    private String host(byte[] a, int vs, int ve) {
        if (vs < ve && a[vs] == '[') {
            int close = indexOf(a, vs, ve, (byte) ']');
            return close < 0 ? hosts.get(a, vs, ve) : hosts.get(a, vs + 1, close);
        }
        int colon = indexOf(a, vs, ve, (byte) ':');
        return hosts.get(a, vs, colon < 0 ? ve : colon);
    }

    /**
     * The last two UTF-8 values decoded, reused while the same bytes come again. Two, because a connection
     * commonly alternates between two (JSON answers and HTML error pages of one API: http1:14 decoded its
     * Content-Type twice per pass with one).
     */
    private static final class ValueCache implements Serializable {
        private final Slot first = new Slot();
        private final Slot second = new Slot();
        /** Which slot the next miss replaces: the one not hit or filled last. */
        private boolean replaceSecond;

        String get(byte[] a, int from, int to) {
            if (first.holds(a, from, to)) {
                replaceSecond = true;
                return first.value;
            }
            if (second.holds(a, from, to)) {
                replaceSecond = false;
                return second.value;
            }
            String v = utf8(a, from, to);
            if (to - from <= Slot.MAX) {
                (replaceSecond ? second : first).set(a, from, to, v);
                replaceSecond = !replaceSecond;
            }
            return v;
        }
    }

    /** One value of a {@link ValueCache} and its bytes. */
    private static final class Slot implements Serializable {
        /** Longer values are decoded every time: a cache is for short, repeated values. */
        private static final int MAX = 64;
        private final byte[] bytes = new byte[MAX];
        private int length = -1;
        private String value;

        private boolean holds(byte[] a, int from, int to) {
            int n = to - from;
            if (n != length) {
                return false;
            }
            int i = 0;
            for (; i <= n - Long.BYTES; i += Long.BYTES) {
                if (word(a, from + i) != word(bytes, i)) {
                    return false;
                }
            }
            for (; i < n; i++) {
                if (a[from + i] != bytes[i]) {
                    return false;
                }
            }
            return true;
        }

        private void set(byte[] a, int from, int to, String v) {
            System.arraycopy(a, from, bytes, 0, to - from);
            length = to - from;
            value = v;
        }
    }

    private static final byte[] SSE_TYPE = "text/event-stream".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] NDJSON_TYPE = "application/x-ndjson".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] JSON_TYPE = "application/json".getBytes(StandardCharsets.ISO_8859_1);
    /** {@link #JSON_TYPE} as words for {@link Http1HeaderTable#sameName} (ASCII letters in either case). */
    private static final Http1HeaderTable.Entry JSON_PREFIX = new Http1HeaderTable.Entry("application/json", 0);

    /**
     * {@link #eventMode(String)} of the Content-Type {@code value} decided on its bytes {@code a[vs, ve)}: the
     * String's three case-insensitive prefix tests showed in the profile (~3% of http1:14). Exact while the bytes
     * compared are ASCII (each is then the char at the same index); a non-ASCII byte leaves it to the String.
     */
    private static EventMode eventMode(byte[] a, int vs, int ve, String value) {
        // the common JSON first, 8 bytes per step: a match of these ASCII bytes is a match of the String, and
        // the three prefixes exclude each other
        if (ve - vs >= JSON_PREFIX.lowerName.length && Http1HeaderTable.sameName(JSON_PREFIX, a, vs)) {
            return EventMode.JSON_LINES;
        }
        int sse = startsWithLower(a, vs, ve, SSE_TYPE);
        int ndjson = sse == 1 ? 0 : startsWithLower(a, vs, ve, NDJSON_TYPE);
        int json = sse == 1 || ndjson == 1 ? 0 : startsWithLower(a, vs, ve, JSON_TYPE);
        if ((sse | ndjson | json) < 0) {
            return eventMode(value);
        }
        return sse == 1 ? EventMode.SSE : ndjson == 1 ? EventMode.NDJSON
                : json == 1 ? EventMode.JSON_LINES : EventMode.NONE;
    }

    /** 1 when {@code a[vs, ve)} starts with {@code lower} ignoring ASCII case, 0 when not, -1 at a non-ASCII byte. */
    private static int startsWithLower(byte[] a, int vs, int ve, byte[] lower) {
        for (int i = 0; i < lower.length; i++) {
            if (vs + i >= ve) {
                return 0;
            }
            byte b = a[vs + i];
            if (b < 0) {
                return -1;
            }
            if (Http1HeaderTable.toLower(b) != lower[i]) {
                return 0;
            }
        }
        return 1;
    }

    private static EventMode eventMode(String contentType) {
        if (contentType.regionMatches(true, 0, "text/event-stream", 0, 17)) {
            return EventMode.SSE;
        }
        if (contentType.regionMatches(true, 0, "application/x-ndjson", 0, 20)) {
            return EventMode.NDJSON;
        }
        if (contentType.regionMatches(true, 0, "application/json", 0, 16)) {
            return EventMode.JSON_LINES;
        }
        return EventMode.NONE;
    }

    /** Non-negative decimal, or -1. */
    private static long digits(byte[] a, int vs, int ve) {
        if (vs >= ve || ve - vs > 18) {
            return -1;
        }
        long v = 0;
        for (int i = vs; i < ve; i++) {
            if (a[i] < '0' || a[i] > '9') {
                return -1;
            }
            v = v * 10 + (a[i] - '0');
        }
        return v;
    }

    /** Chunked is the last transfer coding when the body is chunked (RFC 9112 §6.3). */
    private static boolean endsWithChunked(byte[] a, int vs, int ve) {
        return ve - vs >= 7 && Http1HeaderTable.equalsLower(a, ve - 7, CHUNKED)
                && (ve - vs == 7 || a[ve - 8] == ' ' || a[ve - 8] == ',' || a[ve - 8] == '\t');
    }

    private static String utf8(byte[] a, int from, int to) {
        return new String(a, from, to - from, StandardCharsets.UTF_8);
    }

    /** Length of the line {@code a[p, nl)} without a trailing CR. */
    private static int trimCr(byte[] a, int p, int nl) {
        int n = nl - p;
        return n > 0 && a[nl - 1] == '\r' ? n - 1 : Math.max(n, 0);
    }

    /** The 8 bytes at {@code a[i]} as a little-endian long. */
    static long word(byte[] a, int i) {
        return (long) LONGS.get(a, i);
    }

    /** {@code b} in every byte of a long, for {@link #matches}. */
    static long pattern(byte b) {
        return (b & 0xFFL) * 0x0101010101010101L;
    }

    /**
     * The bytes {@code a[i, i+8)} equal to the byte of {@code pattern}: bit 7 of byte k of the result is set
     * exactly when {@code a[i+k]} matches (no false positives, unlike the shorter has-zero test, so every match of
     * a word can be used).
     */
    static long matches(byte[] a, int i, long pattern) {
        return matches((long) LONGS.get(a, i), pattern);
    }

    /** Bit 7 set in the zero bytes of {@code x} and possibly in bytes above the lowest zero byte. */
    private static long zeroBytes(long x) {
        return (x - 0x0101010101010101L) & ~x & 0x8080808080808080L;
    }

    /** {@link #matches(byte[], int, long)} of a word already read. */
    static long matches(long word, long pattern) {
        long x = word ^ pattern;
        return ~(((x & 0x7F7F7F7F7F7F7F7FL) + 0x7F7F7F7F7F7F7F7FL) | x | 0x7F7F7F7F7F7F7F7FL);
    }

    /**
     * Index of the first {@code b} in {@code a[from, to)}, or -1. Heads are scanned for line ends and colons byte
     * after byte, which dominated the decoding profile; this looks at 8 bytes per step (SWAR: a byte equal to
     * {@code b} becomes a zero byte, and the classic has-zero-byte test finds the lowest one exactly).
     */
    static int indexOf(byte[] a, int from, int to, byte b) {
        int i = from;
        if (to - from >= Long.BYTES) {
            long pattern = (b & 0xFFL) * 0x0101010101010101L;
            int last = to - Long.BYTES;
            for (; i <= last; i += Long.BYTES) {
                long x = (long) LONGS.get(a, i) ^ pattern;
                long found = (x - 0x0101010101010101L) & ~x & 0x8080808080808080L;
                if (found != 0) {
                    return i + (Long.numberOfTrailingZeros(found) >>> 3);
                }
            }
        }
        for (; i < to; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(byte[] a, int from, int to, byte b) {
        for (int i = to - 1; i >= from; i--) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
