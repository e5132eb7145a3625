package io.tapflow.protocols;

import java.io.Serializable;

/**
 * The rest of a unit whose length was declared up front (a Kafka message, an MQTT packet, a DNS/TCP message, a
 * Redis bulk payload, an HTTP/2 DATA payload), consumed from a {@link StreamBuffer} as it arrives, captured or not.
 *
 * <p>Decoders skip such bodies rather than wait for them: a body may be far larger than what the collector
 * captured, and waiting would hold the message back until bytes that never come. Skipping as bytes arrive also
 * pins the message's end time to the call that carried its last byte. One instance is reused for every body of a
 * stream, so the hot path allocates nothing.
 */
public final class DeclaredBody implements Serializable {

    private long remaining;
    private boolean uncaptured;
    private long endTimestampNs;
    private L7Message.Builder message;

    /** Starts a body of {@code length} bytes at the buffer's read position. */
    public void begin(long length) {
        begin(length, null);
    }

    /**
     * Starts the body of {@code length} bytes of a message decoded from its first bytes; {@link #consume(StreamBuffer,
     * MessageSink)} emits the message at its end. A null message (its header was not captured) is skipped silently.
     */
    public void begin(long length, L7Message.Builder message) {
        remaining = length;
        uncaptured = false;
        endTimestampNs = 0;
        this.message = message;
    }

    /** True while bytes of the body are still to be consumed. */
    public boolean active() {
        return remaining > 0;
    }

    /** Bytes of the body still to be consumed, captured or not. */
    public long remaining() {
        return remaining;
    }

    /**
     * Consumes what has arrived of the body, up to its end; true once its last byte has passed (also when the body
     * was empty). The end time is taken before the skip so that it does not depend on what the buffer still keeps.
     */
    public boolean consume(StreamBuffer in) {
        long n = Math.min(remaining, in.available());
        if (in.contiguous() < n) {
            uncaptured = true;
        }
        if (n > 0 && n == remaining) {
            endTimestampNs = in.timestampNs(in.position() + n - 1);
        }
        in.skip(n);
        remaining -= n;
        return remaining == 0;
    }

    /**
     * {@link #consume(StreamBuffer)}, then at the end emits the message given to {@link #begin(long,
     * L7Message.Builder)}, truncated when some of the body was not captured, with the end time of its last byte.
     */
    public boolean consume(StreamBuffer in, MessageSink out) {
        if (!consume(in)) {
            return false;
        }
        if (message != null) {
            out.message(message.truncated(uncaptured).endTimestampNs(endTimestampNs).build());
            message = null;
        }
        return true;
    }

    /** True when some of the body consumed so far was not captured. */
    public boolean uncaptured() {
        return uncaptured;
    }

    /** Time of the call that carried the body's last byte; 0 until that byte has passed. */
    public long endTimestampNs() {
        return endTimestampNs;
    }

    /** Forgets the body (a decoder reset). */
    public void clear() {
        begin(0);
    }
}
