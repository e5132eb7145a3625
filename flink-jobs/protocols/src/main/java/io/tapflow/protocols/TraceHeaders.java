package io.tapflow.protocols;

import java.io.Serializable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * Reads the trace context applications already propagate: W3C {@code traceparent}, Zipkin {@code b3} (single
 * header) and {@code X-B3-*} (multi header), Jaeger {@code uber-trace-id} and SkyWalking {@code sw8}. Shared by
 * every protocol that carries headers (HTTP/1, HTTP/2 and gRPC metadata, Kafka headers, MQTT 5 properties).
 *
 * <p>Feed each header of one message to a {@link Collector}; when several formats are present the most precise
 * wins in the order listed above.
 */
public final class TraceHeaders {

    /** Little-endian longs over a byte array, to test 8 bytes per step. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private TraceHeaders() {
    }

    /** Collects the trace headers of one message. Not thread-safe; one per message. */
    public static final class Collector implements Serializable {
        private final String requestIdHeader;
        private TraceContext context;
        private int rank = Integer.MAX_VALUE;
        private String b3TraceId;
        private String b3SpanId;
        private String b3ParentSpanId;
        private String requestId;

        public Collector(String requestIdHeader) {
            this.requestIdHeader = lowerCase(requestIdHeader);
        }

        /**
         * Offers one header; returns true when it was a trace or request-id header. Names are compared
         * case-insensitively; values are trimmed.
         */
        public boolean offer(String name, String value) {
            if (name == null || value == null) {
                return false;
            }
            String n = lowerCase(name);
            String v = value.trim();
            switch (n) {
                case "traceparent" -> keep(traceparent(v), 0);
                case "b3" -> keep(b3(v), 1);
                case "x-b3-traceid" -> b3TraceId = hexOrNull(v, 16, 32);
                case "x-b3-spanid" -> b3SpanId = hexOrNull(v, 16, 16);
                case "x-b3-parentspanid" -> b3ParentSpanId = hexOrNull(v, 16, 16);
                case "uber-trace-id" -> keep(uber(v), 3);
                case "sw8" -> keep(sw8(v), 4);
                default -> {
                    if (n.equals(requestIdHeader)) {
                        requestId = v.isEmpty() ? null : v;
                        return true;
                    }
                    return false;
                }
            }
            return true;
        }

        /** {@code offer("traceparent", value)} for a value given as its UTF-8 bytes (see {@link #traceparentOf}). */
        public void offerTraceparent(byte[] a, int from, int to) {
            keep(traceparentOf(a, from, to), 0);
        }

        /**
         * {@code offer(requestIdHeader, value)} without looking the name up again: for decoders that already know
         * the header is the request-id header (and not also a trace header).
         */
        public void offerRequestId(String value) {
            if (value != null) {
                requestId = requestIdOf(value);
            }
        }

        /**
         * Forgets every header offered, so that one collector serves message after message (a decoder keeps one
         * rather than building one per message).
         */
        public void reset() {
            context = null;
            rank = Integer.MAX_VALUE;
            b3TraceId = null;
            b3SpanId = null;
            b3ParentSpanId = null;
            requestId = null;
        }

        /** The winning trace context, or null. */
        public TraceContext context() {
            if (b3TraceId != null && b3SpanId != null && rank > 2) {
                return new TraceContext(b3TraceId, b3SpanId, b3ParentSpanId, "x-b3");
            }
            return context;
        }

        /** The request id header's value, or null. */
        public String requestId() {
            return requestId;
        }

        private void keep(TraceContext candidate, int candidateRank) {
            if (candidate != null && candidateRank < rank) {
                context = candidate;
                rank = candidateRank;
            }
        }
    }

    /**
     * The context {@code Collector.offer("traceparent", value)} gives a message whose only trace header it is, for
     * the value as its UTF-8 bytes {@code a[from, to)}: an ASCII value (every valid one) is checked in place, so that
     * only the two ids become Strings (building and scanning the value's String was ~40% of the cost of decoding a
     * request head).
     */
    public static TraceContext traceparentOf(byte[] a, int from, int to) {
        if (!isAscii(a, from, to)) {
            return traceparent(new String(a, from, to - from, StandardCharsets.UTF_8).trim());
        }
        // String.trim() of an ASCII value
        while (from < to && a[from] <= ' ') {
            from++;
        }
        while (to > from && a[to - 1] <= ' ') {
            to--;
        }
        return traceparent(a, from, to);
    }

    /** The request id a request-id header's value gives: trimmed, null when empty. */
    static String requestIdOf(String value) {
        String v = value.trim();
        return v.isEmpty() ? null : v;
    }

    /**
     * {@code name.toLowerCase(Locale.ROOT)}, returning names that are already lower-case ASCII (every name the
     * decoders pass) without the per-character case mapping, which was a visible cost per header.
     */
    private static String lowerCase(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 0x80 || (c >= 'A' && c <= 'Z')) {
                return name.toLowerCase(Locale.ROOT);
            }
        }
        return name;
    }

    /**
     * {@code version-traceid-spanid-flags}; all-zero ids are invalid per the W3C spec. The fields are found by
     * index rather than {@code split} (one per request on traced traffic): the same fields, without the regex
     * machinery and the array.
     */
    static TraceContext traceparent(String v) {
        int d1 = v.indexOf('-');
        int d2 = d1 < 0 ? -1 : v.indexOf('-', d1 + 1);
        int d3 = d2 < 0 ? -1 : v.indexOf('-', d2 + 1);
        // at least four fields; the version is two characters other than "ff"
        if (d3 < 0 || d1 != 2 || (v.charAt(0) == 'f' && v.charAt(1) == 'f')) {
            return null;
        }
        String traceId = hexOrNull(v, d1 + 1, d2, 32, 32);
        String spanId = hexOrNull(v, d2 + 1, d3, 16, 16);
        if (traceId == null || spanId == null || isZero(traceId) || isZero(spanId)) {
            return null;
        }
        return new TraceContext(traceId, spanId, null, "traceparent");
    }

    /** {@code traceid-spanid[-sampled[-parentspanid]]}; a lone sampling flag carries no ids. */
    static TraceContext b3(String v) {
        String[] parts = v.split("-", -1);
        if (parts.length < 2) {
            return null;
        }
        String traceId = hexOrNull(parts[0], 16, 32);
        String spanId = hexOrNull(parts[1], 16, 16);
        if (traceId == null || spanId == null) {
            return null;
        }
        String parent = parts.length >= 4 ? hexOrNull(parts[3], 16, 16) : null;
        return new TraceContext(traceId, spanId, parent, "b3");
    }

    /** {@code traceid:spanid:parentid:flags}, possibly URL-encoded ({@code %3A}); ids may drop leading zeros. */
    static TraceContext uber(String v) {
        String[] parts = v.replace("%3A", ":").replace("%3a", ":").split(":", -1);
        if (parts.length != 4) {
            return null;
        }
        String traceId = hexOrNull(parts[0], 1, 32);
        String spanId = hexOrNull(parts[1], 1, 16);
        String parent = hexOrNull(parts[2], 1, 16);
        if (traceId == null || spanId == null) {
            return null;
        }
        traceId = pad(traceId, traceId.length() <= 16 ? 16 : 32);
        return new TraceContext(traceId, pad(spanId, 16), parent == null || isZero(parent) ? null : pad(parent, 16),
                "uber-trace-id");
    }

    /**
     * SkyWalking v3 {@code sample-traceId-segmentId-spanId-parentService-…} with base64 ids; the span id is the
     * segment id and span index, since SkyWalking spans are numbered within a segment.
     */
    static TraceContext sw8(String v) {
        String[] parts = v.split("-", -1);
        if (parts.length < 8 || !("0".equals(parts[0]) || "1".equals(parts[0]))) {
            return null;
        }
        String traceId = base64Text(parts[1]);
        String segmentId = base64Text(parts[2]);
        if (traceId == null || segmentId == null || parts[3].isEmpty() || !parts[3].chars().allMatch(Character::isDigit)) {
            return null;
        }
        return new TraceContext(traceId, segmentId + "." + parts[3], null, "sw8");
    }

    private static String base64Text(String s) {
        try {
            String text = new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
            return text.isEmpty() ? null : text;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * {@link #traceparent(String)} of the ASCII text {@code a[from, to)} (no byte >= 0x80: the 8-byte checks rely on
     * it). A value it accepts has a fixed layout,
     * {@code vv-<32 hex>-<16 hex>-...}: its first three '-' are at offsets 2, 35 and 52 (the hex runs hold none), so
     * the dashes are checked where they must be rather than searched for, and the ids are checked 8 bytes per step
     * (the byte-by-byte checks made this ~100 ns per traced request).
     */
    static TraceContext traceparent(byte[] a, int from, int to) {
        if (to - from <= 52 || a[from] == '-' || a[from + 1] == '-' || a[from + 2] != '-' || a[from + 35] != '-'
                || a[from + 52] != '-' || (a[from] == 'f' && a[from + 1] == 'f')) {
            return null;
        }
        int t = from + 3;
        int sp = from + 36;
        long t0 = word(a, t);
        long t1 = word(a, t + 8);
        long t2 = word(a, t + 16);
        long t3 = word(a, t + 24);
        long s0 = word(a, sp);
        long s1 = word(a, sp + 8);
        if ((hexBytes(t0) & hexBytes(t1) & hexBytes(t2) & hexBytes(t3) & hexBytes(s0) & hexBytes(s1)) != HIGH_BITS
                || ((t0 ^ ZEROS) | (t1 ^ ZEROS) | (t2 ^ ZEROS) | (t3 ^ ZEROS)) == 0
                || ((s0 ^ ZEROS) | (s1 ^ ZEROS)) == 0) {
            return null;
        }
        boolean upper = (upperHexBytes(t0) | upperHexBytes(t1) | upperHexBytes(t2) | upperHexBytes(t3)) != 0;
        String traceId = new String(a, t, 32, StandardCharsets.ISO_8859_1);
        String spanId = new String(a, sp, 16, StandardCharsets.ISO_8859_1);
        return new TraceContext(upper ? traceId.toLowerCase(Locale.ROOT) : traceId,
                (upperHexBytes(s0) | upperHexBytes(s1)) != 0 ? spanId.toLowerCase(Locale.ROOT) : spanId, null,
                "traceparent");
    }

    private static final long HIGH_BITS = 0x8080808080808080L;
    /** Eight '0's: an all-zero id is invalid. */
    private static final long ZEROS = 0x3030303030303030L;

    private static long word(byte[] a, int i) {
        return (long) LONGS.get(a, i);
    }

    /**
     * Bit 7 of each byte of the result set when that byte of {@code x} (all bytes ASCII) is in {@code [lo, hi]}:
     * adding {@code 0x80 - lo} sets bit 7 from {@code lo} up, adding {@code 0x7f - hi} from above {@code hi}, and
     * no byte carries into the next.
     */
    private static long inRange(long x, int lo, int hi) {
        long ge = x + (0x80 - lo) * 0x0101010101010101L;
        long gt = x + (0x7f - hi) * 0x0101010101010101L;
        return ge & ~gt & HIGH_BITS;
    }

    /** Bit 7 set for each byte that is a hex digit of either case ('A'-'F' | 0x20 = 'a'-'f', nothing else does). */
    private static long hexBytes(long x) {
        return inRange(x, '0', '9') | inRange(x | 0x2020202020202020L, 'a', 'f');
    }

    private static long upperHexBytes(long x) {
        return inRange(x, 'A', 'F');
    }

    /** True when {@code a[from, to)} holds no byte >= 0x80; 8 bytes per step. */
    private static boolean isAscii(byte[] a, int from, int to) {
        int i = from;
        long or = 0;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            or |= (long) LONGS.get(a, i);
        }
        for (; i < to; i++) {
            or |= a[i];
        }
        return (or & 0x8080808080808080L) == 0;
    }

    /** {@link #hexOrNull(String, int, int)} of {@code s.substring(from, to)}, checked before it is cut out. */
    private static String hexOrNull(String s, int from, int to, int min, int max) {
        int len = to - from;
        if (len < min || len > max) {
            return null;
        }
        boolean lower = true;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!isHexDigit(c)) {
                return null;
            }
            lower &= c < 'A' || c > 'F';
        }
        // hex digits are ASCII or Unicode digits, so only A-F change under toLowerCase
        String hex = s.substring(from, to);
        return lower ? hex : hex.toLowerCase(Locale.ROOT);
    }

    /** {@code Character.digit(c, 16) >= 0}, deciding ASCII without the Unicode tables. */
    private static boolean isHexDigit(char c) {
        if (c < 0x80) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        }
        return Character.digit(c, 16) >= 0;
    }

    /** Lower-case hex of {@code min..max} chars, or null. */
    static String hexOrNull(String s, int min, int max) {
        if (s.length() < min || s.length() > max) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return null;
            }
        }
        return s.toLowerCase(Locale.ROOT);
    }

    private static boolean isZero(String hex) {
        for (int i = 0; i < hex.length(); i++) {
            if (hex.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }

    private static String pad(String hex, int len) {
        return hex.length() >= len ? hex : "0".repeat(len - hex.length()) + hex;
    }
}
