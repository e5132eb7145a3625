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
    /** Hex digits (either case) by byte; 0 = not one. */
    private static final byte[] HEX_DIGIT = new byte[256];

    static {
        for (int c = 0; c < 256; c++) {
            HEX_DIGIT[c] = (byte) ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ? 1 : 0);
        }
    }

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

        /**
         * {@code offer("traceparent", value)} for a value given as its UTF-8 bytes {@code a[from, to)}: an ASCII
         * value (every valid one) is checked in place, so that only the two ids become Strings. Decoders that read
         * headers from a byte buffer call this once per traced request; building and scanning the value's String
         * was ~40% of the cost of decoding a request head.
         */
        public void offerTraceparent(byte[] a, int from, int to) {
            if (!isAscii(a, from, to)) {
                offer("traceparent", new String(a, from, to - from, StandardCharsets.UTF_8));
                return;
            }
            // String.trim() of an ASCII value
            while (from < to && a[from] <= ' ') {
                from++;
            }
            while (to > from && a[to - 1] <= ' ') {
                to--;
            }
            keep(traceparent(a, from, to), 0);
        }

        /**
         * {@code offer(requestIdHeader, value)} without looking the name up again: for decoders that already know
         * the header is the request-id header (and not also a trace header).
         */
        public void offerRequestId(String value) {
            if (value != null) {
                String v = value.trim();
                requestId = v.isEmpty() ? null : v;
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
     * {@link #traceparent(String)} of the ASCII text {@code a[from, to)}. A value it accepts has a fixed layout,
     * {@code vv-<32 hex>-<16 hex>-...}: its first three '-' are at offsets 2, 35 and 52 (the hex runs hold none), so
     * the dashes are checked where they must be rather than searched for.
     */
    static TraceContext traceparent(byte[] a, int from, int to) {
        if (to - from <= 52 || a[from] == '-' || a[from + 1] == '-' || a[from + 2] != '-' || a[from + 35] != '-'
                || a[from + 52] != '-' || (a[from] == 'f' && a[from + 1] == 'f')) {
            return null;
        }
        if (!isHex(a, from + 3, from + 35) || !isHex(a, from + 36, from + 52)
                || isZero(a, from + 3, from + 35) || isZero(a, from + 36, from + 52)) {
            return null;
        }
        return new TraceContext(lowerHex(a, from + 3, from + 35), lowerHex(a, from + 36, from + 52), null,
                "traceparent");
    }

    private static boolean isHex(byte[] a, int from, int to) {
        int bad = 0;
        for (int i = from; i < to; i++) {
            bad |= HEX_DIGIT[a[i] & 0xFF] ^ 1;
        }
        return bad == 0;
    }

    private static boolean isZero(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] != '0') {
                return false;
            }
        }
        return true;
    }

    /** The hex digits {@code a[from, to)} as a lower-case String. */
    private static String lowerHex(byte[] a, int from, int to) {
        String hex = new String(a, from, to - from, StandardCharsets.ISO_8859_1);
        for (int i = from; i < to; i++) {
            if (a[i] >= 'A' && a[i] <= 'F') {
                return hex.toLowerCase(Locale.ROOT);
            }
        }
        return hex;
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
