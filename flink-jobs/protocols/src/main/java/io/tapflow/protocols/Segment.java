package io.tapflow.protocols;

import java.util.Objects;

/**
 * The bytes one syscall (or one captured packet) moved in one direction of a connection.
 *
 * <p>Only a prefix may have been captured: {@code bytes[offset, offset+length)} holds the captured bytes and
 * {@code byteCount >= length} is how many bytes actually moved. The {@code byteCount - length} bytes that follow
 * the captured prefix are a hole in the stream: decoders skip them when a message's declared length covers them,
 * and lose sync otherwise.
 *
 * @param bytes         buffer holding the captured prefix; decoders copy what they keep, never retain it
 * @param offset        start of the captured prefix in {@code bytes}
 * @param length        number of captured bytes
 * @param byteCount     number of bytes the call moved, {@code >= length}
 * @param timestampNs   time of the call, ns since the epoch
 * @param tcpSeq        TCP sequence number of the first byte, or {@link #NO_TCP_SEQ}
 * @param threadTraceId the collector's thread trace id of the call (0 = none)
 */
public record Segment(byte[] bytes, int offset, int length, long byteCount, long timestampNs, long tcpSeq,
                      long threadTraceId) {

    public static final long NO_TCP_SEQ = -1;

    public Segment {
        Objects.requireNonNull(bytes, "bytes");
        if (offset < 0 || length < 0 || offset + length > bytes.length) {
            throw new IllegalArgumentException("captured range [" + offset + ", " + (offset + length)
                    + ") outside a buffer of " + bytes.length + " bytes");
        }
        if (byteCount < length) {
            throw new IllegalArgumentException("byteCount " + byteCount + " < captured length " + length);
        }
    }

    /** A fully captured segment with no sequence number, as tests and UDP datagrams have. */
    public static Segment of(byte[] bytes, long timestampNs) {
        return new Segment(bytes, 0, bytes.length, bytes.length, timestampNs, NO_TCP_SEQ, 0);
    }

    /** Bytes that moved but were not captured. */
    public long uncaptured() {
        return byteCount - length;
    }
}
