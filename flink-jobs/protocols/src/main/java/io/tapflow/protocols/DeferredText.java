package io.tapflow.protocols;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;

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

    // fields: index into the bounds of the builder
    private static final int RESOURCE = 0;
    private static final int EXCEPTION = 2;
    private static final int REQUEST_ID = 4;
    private static final int TRACEPARENT = 6;
    private static final long ABSENT = -1;

    private final byte[] bytes;
    /**
     * Each field's from (high 32 bits) and to (low 32 bits) in {@link #bytes}, {@link #ABSENT} when not set: fields
     * rather than an array, and the caches below rather than an array of values, so that a message's deferred text
     * is two objects (this and its bytes), not four.
     */
    private final long resource;
    private final long exception;
    private final long requestId;
    private final long traceparent;
    /*
     * Decoded values (null = not decoded yet, NULL = decoded as null). Benign races: a thread that sees null
     * decodes the same value again, and the values (String, TraceContext) are immutable with final fields, so a
     * thread that sees one sees it whole. Transient: a deserialized instance decodes again.
     */
    private transient Object resourceValue;
    private transient Object exceptionValue;
    private transient Object requestIdValue;
    private transient Object traceparentValue;

    private DeferredText(byte[] bytes, long resource, long exception, long requestId, long traceparent) {
        this.bytes = bytes;
        this.resource = resource;
        this.exception = exception;
        this.requestId = requestId;
        this.traceparent = traceparent;
    }

    /** {@link L7Message#requestResource()}: the UTF-8 text, capped as the builder caps it; null when not set. */
    String requestResource() {
        Object v = resourceValue;
        if (v == null) {
            resourceValue = v = decode(RESOURCE, resource);
        }
        return v == NULL ? null : (String) v;
    }

    /** {@link L7Message#responseException()}: the UTF-8 text, capped; null when not set. */
    String responseException() {
        Object v = exceptionValue;
        if (v == null) {
            exceptionValue = v = decode(EXCEPTION, exception);
        }
        return v == NULL ? null : (String) v;
    }

    /** {@link L7Message#xRequestId()}: {@link TraceHeaders.Collector#offerRequestId} of the text. */
    String xRequestId() {
        Object v = requestIdValue;
        if (v == null) {
            requestIdValue = v = decode(REQUEST_ID, requestId);
        }
        return v == NULL ? null : (String) v;
    }

    /** {@link L7Message#traceContext()}: the context of the message's only trace header, a traceparent. */
    TraceContext traceContext() {
        Object v = traceparentValue;
        if (v == null) {
            traceparentValue = v = decode(TRACEPARENT, traceparent);
        }
        return v == NULL ? null : (TraceContext) v;
    }

    /** The value of {@code field} at {@code bounds}, or {@link #NULL}. */
    private Object decode(int field, long bounds) {
        if (bounds == ABSENT) {
            return NULL;
        }
        int from = (int) (bounds >>> 32);
        int to = (int) bounds;
        Object v = switch (field) {
            case RESOURCE, EXCEPTION -> L7Message.cap(utf8(from, to));
            case REQUEST_ID -> TraceHeaders.requestIdOf(utf8(from, to));
            default -> TraceHeaders.traceparentOf(bytes, from, to);
        };
        return v == null ? NULL : v;
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
        /** Source array, from and to per field, valid where {@link #set} has the field's bit. */
        private final byte[][] sources = new byte[4][];
        private final int[] bounds = new int[8];
        /** Bit {@code field / 2} set for each field put since the last reset (a reset per message stays O(1)). */
        private int set;
        /** The array {@link #build} fills, and how much of it. */
        private byte[] target;
        private int copied;

        /** Forgets the fields of the previous message (and the arrays they were in). */
        public Builder reset() {
            set = 0;
            sources[0] = null;
            sources[1] = null;
            sources[2] = null;
            sources[3] = null;
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

        /**
         * Notes {@code a[from, to)} as the field whose bounds are at {@code bounds[field]}; its bytes are copied by
         * {@link #build}, straight into the message's array (copying each field into a scratch array first, then
         * the scratch into the message's array, showed in the HTTP/1 profile), so {@code a} must not change before.
         */
        private Builder put(int field, byte[] a, int from, int to) {
            sources[field / 2] = a;
            bounds[field] = from;
            bounds[field + 1] = to;
            set |= 1 << (field / 2);
            return this;
        }

        /**
         * The fields collected, or null when there is none. Keeps no reference to the arrays the fields came from
         * (a decoder's buffer is not pinned by its builder between messages).
         */
        public DeferredText build() {
            if (set == 0) {
                return null;
            }
            int n = 0;
            for (int f = 0; f < bounds.length; f += 2) {
                if ((set & (1 << (f / 2))) != 0) {
                    n += bounds[f + 1] - bounds[f];
                }
            }
            target = new byte[n];
            copied = 0;
            long resource = copy(RESOURCE);
            long exception = copy(EXCEPTION);
            long requestId = copy(REQUEST_ID);
            long traceparent = copy(TRACEPARENT);
            DeferredText text = new DeferredText(target, resource, exception, requestId, traceparent);
            target = null;
            return text;
        }

        /** Copies {@code field} (if put) to {@link #target}; its bounds there as {@link DeferredText} keeps them. */
        private long copy(int field) {
            if ((set & (1 << (field / 2))) == 0) {
                return ABSENT;
            }
            int len = bounds[field + 1] - bounds[field];
            System.arraycopy(sources[field / 2], bounds[field], target, copied, len);
            sources[field / 2] = null;
            long at = (long) copied << 32 | (copied + len);
            copied += len;
            return at;
        }
    }
}
