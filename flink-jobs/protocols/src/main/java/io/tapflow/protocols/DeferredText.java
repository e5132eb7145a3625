package io.tapflow.protocols;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Text fields of one message kept as the bytes they were decoded from and turned into their values when an
 * {@link L7Message} accessor first asks: a decoder emits far more messages than any stage reads every field of
 * (a metric needs the resource, rarely the request id), and building the Strings and the trace context was about
 * a third of the cost of decoding an HTTP/1 head. Each value is exactly what the eager decoding gave.
 *
 * <p>Holds a copy of only the bytes of its fields (never the decoder's buffer). Safe to read from any thread: the
 * bytes and bounds are final, and the cache slots hold immutable values that any reader may compute again.
 */
public final class DeferredText implements Serializable {

    /**
     * UTF-8 bytes enough for {@link L7Message#MAX_TEXT} chars and the decoder's look-ahead at the cut (a char takes
     * at most 4 bytes): a capped field keeps no more of a megabyte URL than its capped value needs.
     */
    static final int MAX_CAPPED_BYTES = L7Message.MAX_TEXT * 4 + 8;
    /** A cache slot whose value was computed and is null. */
    private static final Object NULL = new Object();

    private final byte[] bytes;
    private final int resourceFrom;
    private final int resourceTo;
    private final int exceptionFrom;
    private final int exceptionTo;
    private final int requestIdFrom;
    private final int requestIdTo;
    private final int traceparentFrom;
    private final int traceparentTo;
    // caches: null = not computed yet, NULL = computed as null; never serialized (computed again from the bytes)
    private transient Object resource;
    private transient Object exception;
    private transient Object requestId;
    private transient Object traceContext;

    private DeferredText(byte[] bytes, int[] bounds) {
        this.bytes = bytes;
        this.resourceFrom = bounds[0];
        this.resourceTo = bounds[1];
        this.exceptionFrom = bounds[2];
        this.exceptionTo = bounds[3];
        this.requestIdFrom = bounds[4];
        this.requestIdTo = bounds[5];
        this.traceparentFrom = bounds[6];
        this.traceparentTo = bounds[7];
    }

    /** {@link L7Message#requestResource()}: the UTF-8 text, capped as the builder caps it; null when not set. */
    String requestResource() {
        Object v = resource;
        if (v == null) {
            v = orNull(resourceFrom < 0 ? null : L7Message.cap(utf8(resourceFrom, resourceTo)));
            resource = v;
        }
        return v == NULL ? null : (String) v;
    }

    /** {@link L7Message#responseException()}: the UTF-8 text, capped; null when not set. */
    String responseException() {
        Object v = exception;
        if (v == null) {
            v = orNull(exceptionFrom < 0 ? null : L7Message.cap(utf8(exceptionFrom, exceptionTo)));
            exception = v;
        }
        return v == NULL ? null : (String) v;
    }

    /** {@link L7Message#xRequestId()}: {@link TraceHeaders.Collector#offerRequestId} of the text. */
    String xRequestId() {
        Object v = requestId;
        if (v == null) {
            v = orNull(requestIdFrom < 0 ? null : TraceHeaders.requestIdOf(utf8(requestIdFrom, requestIdTo)));
            requestId = v;
        }
        return v == NULL ? null : (String) v;
    }

    /** {@link L7Message#traceContext()}: the context of the message's only trace header, a traceparent. */
    TraceContext traceContext() {
        Object v = traceContext;
        if (v == null) {
            v = orNull(traceparentFrom < 0 ? null : TraceHeaders.traceparentOf(bytes, traceparentFrom, traceparentTo));
            traceContext = v;
        }
        return v == NULL ? null : (TraceContext) v;
    }

    private String utf8(int from, int to) {
        return new String(bytes, from, to - from, StandardCharsets.UTF_8);
    }

    private static Object orNull(Object v) {
        return v == null ? NULL : v;
    }

    /**
     * Collects the fields of one message from the decoder's buffer as it parses, then {@link #build builds} the
     * {@link DeferredText}. Reused message after message ({@link #reset}); one message at a time.
     */
    public static final class Builder implements Serializable {
        private byte[] scratch = new byte[256];
        private int used;
        /** From and to per field, -1 when absent; the order of the {@link DeferredText} constructor. */
        private final int[] bounds = new int[8];
        private boolean any;

        public Builder() {
            reset();
        }

        /** Forgets the fields of the previous message. */
        public Builder reset() {
            Arrays.fill(bounds, -1);
            used = 0;
            any = false;
            return this;
        }

        /** {@link L7Message.Builder#requestResource} of the UTF-8 text {@code a[from, to)}. */
        public Builder requestResource(byte[] a, int from, int to) {
            return put(0, a, from, Math.min(to, from + MAX_CAPPED_BYTES));
        }

        /** {@link L7Message.Builder#responseException} of the UTF-8 text {@code a[from, to)}. */
        public Builder responseException(byte[] a, int from, int to) {
            return put(2, a, from, Math.min(to, from + MAX_CAPPED_BYTES));
        }

        /** The request-id header's value {@code a[from, to)}; a later one replaces it, as in the collector. */
        public Builder xRequestId(byte[] a, int from, int to) {
            return put(4, a, from, to);
        }

        /** The value of the message's only trace header, a traceparent, at {@code a[from, to)}. */
        public Builder traceparent(byte[] a, int from, int to) {
            return put(6, a, from, to);
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
            any = true;
            return this;
        }

        /** The fields collected, or null when there is none. */
        public DeferredText build() {
            return any ? new DeferredText(Arrays.copyOf(scratch, used), bounds) : null;
        }
    }
}
