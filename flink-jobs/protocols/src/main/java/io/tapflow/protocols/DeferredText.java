package io.tapflow.protocols;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Text fields of one message kept as the bytes they were decoded from and turned into their values when an
 * {@link L7Message} accessor first asks: a decoder emits far more messages than any stage reads every field of
 * (a metric needs the resource, rarely the request id), and building the Strings and the trace context was ~15%
 * of the samples of decoding http1:14 (JFR). Each value is exactly what the eager decoding gave.
 *
 * <p>Holds a copy of only the bytes of its fields (never the decoder's buffer). Safe to read from any thread: the
 * bytes and bounds are final and written before construction ends, and the cache holds immutable values that
 * any reader may compute again.
 */
public final class DeferredText implements Serializable {

    /**
     * UTF-8 bytes enough for {@link L7Message#MAX_TEXT} chars and the decoder's look-ahead at the cut (a char takes
     * at most 4 bytes): a capped field keeps no more of a megabyte URL than its capped value needs.
     */
    static final int MAX_CAPPED_BYTES = L7Message.MAX_TEXT * 4 + 8;
    /** A cache slot whose value was computed and is null. */
    private static final Object NULL = new Object();

    // fields: index into bounds (from, to) and into values
    private static final int RESOURCE = 0;
    private static final int EXCEPTION = 2;
    private static final int REQUEST_ID = 4;
    private static final int TRACEPARENT = 6;

    private final byte[] bytes;
    /** From and to of each field in {@link #bytes}, -1 when the field is absent. */
    private final int[] bounds;
    /**
     * Decoded values by field index / 2 (null = not decoded yet, {@link #NULL} = decoded as null). Final, so that
     * every thread sees the array; threads that race on a slot decode the same immutable value. Not serialized:
     * {@link #readResolve} starts a fresh one.
     */
    private final transient Object[] values;

    private DeferredText(byte[] bytes, int[] bounds) {
        this.bytes = bytes;
        this.bounds = bounds;
        this.values = new Object[bounds.length / 2];
    }

    private Object readResolve() {
        return new DeferredText(bytes, bounds);
    }

    /** {@link L7Message#requestResource()}: the UTF-8 text, capped as the builder caps it; null when not set. */
    String requestResource() {
        return (String) value(RESOURCE);
    }

    /** {@link L7Message#responseException()}: the UTF-8 text, capped; null when not set. */
    String responseException() {
        return (String) value(EXCEPTION);
    }

    /** {@link L7Message#xRequestId()}: {@link TraceHeaders.Collector#offerRequestId} of the text. */
    String xRequestId() {
        return (String) value(REQUEST_ID);
    }

    /** {@link L7Message#traceContext()}: the context of the message's only trace header, a traceparent. */
    TraceContext traceContext() {
        return (TraceContext) value(TRACEPARENT);
    }

    private Object value(int field) {
        Object v = values[field / 2];
        if (v == null) {
            v = bounds[field] < 0 ? null : decode(field, bounds[field], bounds[field + 1]);
            values[field / 2] = v == null ? NULL : v;
            return v;
        }
        return v == NULL ? null : v;
    }

    private Object decode(int field, int from, int to) {
        return switch (field) {
            case RESOURCE, EXCEPTION -> L7Message.cap(utf8(from, to));
            case REQUEST_ID -> TraceHeaders.requestIdOf(utf8(from, to));
            default -> TraceHeaders.traceparentOf(bytes, from, to);
        };
    }

    private String utf8(int from, int to) {
        return new String(bytes, from, to - from, StandardCharsets.UTF_8);
    }

    /**
     * Collects the fields of one message from the decoder's buffer as it parses, then {@link #build builds} the
     * {@link DeferredText}. Reused message after message ({@link #reset}); one message at a time. Not
     * Serializable: it holds nothing between messages.
     */
    public static final class Builder {
        private byte[] scratch = new byte[256];
        private int used;
        /** From and to per field, valid where {@link #set} has the field's bit. */
        private final int[] bounds = new int[8];
        /** Bit {@code field / 2} set for each field put since the last reset (a reset per message stays O(1)). */
        private int set;

        /** Forgets the fields of the previous message. */
        public Builder reset() {
            used = 0;
            set = 0;
            return this;
        }

        /** {@link L7Message.Builder#requestResource} of the UTF-8 text {@code a[from, to)}. */
        public Builder requestResource(byte[] a, int from, int to) {
            return put(RESOURCE, a, from, Math.min(to, from + MAX_CAPPED_BYTES));
        }

        /** {@link L7Message.Builder#responseException} of the UTF-8 text {@code a[from, to)}. */
        public Builder responseException(byte[] a, int from, int to) {
            return put(EXCEPTION, a, from, Math.min(to, from + MAX_CAPPED_BYTES));
        }

        /** The request-id header's value {@code a[from, to)}; a later one replaces it, as in the collector. */
        public Builder xRequestId(byte[] a, int from, int to) {
            return put(REQUEST_ID, a, from, to);
        }

        /** The value of the message's only trace header, a traceparent, at {@code a[from, to)}. */
        public Builder traceparent(byte[] a, int from, int to) {
            return put(TRACEPARENT, a, from, to);
        }

        /** Copies {@code a[from, to)} as the field whose bounds are at {@code bounds[field]}. */
        private Builder put(int field, byte[] a, int from, int to) {
            int n = to - from;
            if (used + n > scratch.length) {
                scratch = Arrays.copyOf(scratch, Math.max(scratch.length * 2, used + n));
            }
            System.arraycopy(a, from, scratch, used, n);
            bounds[field] = used;
            bounds[field + 1] = used + n;
            used += n;
            set |= 1 << (field / 2);
            return this;
        }

        /** The fields collected, or null when there is none. */
        public DeferredText build() {
            if (set == 0) {
                return null;
            }
            int[] b = new int[bounds.length];
            for (int f = 0; f < b.length; f += 2) {
                boolean present = (set & (1 << (f / 2))) != 0;
                b[f] = present ? bounds[f] : -1;
                b[f + 1] = present ? bounds[f + 1] : -1;
            }
            return new DeferredText(Arrays.copyOf(scratch, used), b);
        }
    }
}
