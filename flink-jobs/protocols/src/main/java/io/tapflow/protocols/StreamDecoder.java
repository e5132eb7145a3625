package io.tapflow.protocols;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;

/**
 * Decodes one direction of one connection, incrementally: segments arrive in stream order, split at any byte, and
 * with uncaptured holes. One instance per (connection, direction); not thread-safe.
 *
 * <p>Contract, checked for every parser by the contract and fuzz tests: {@link #feed} and {@link #close} never
 * throw on any input, never loop (work per call is bounded by the bytes fed), and hold at most
 * {@link ParserOptions#maxBufferedBytes()} captured bytes.
 *
 * <p>Serializable: the flow job keeps decoders in Flink state, so a checkpoint writes them mid-stream and a restore
 * must continue exactly where they were (the golden tests round-trip every decoder after every segment).
 *
 * <p>A decoder may also write its state in a hand-written format of its own ({@link #writeState}), which the flow
 * job prefers: it costs a fraction of Java serialization, and it is read by format version, not by class layout,
 * so the state of open connections survives a job upgrade that changes a decoder's fields but not its format.
 */
public interface StreamDecoder extends Serializable {

    /** Feeds the next segment and emits every message it completes. */
    void feed(Segment segment, MessageSink out);

    /** The stream ended (connection closed): emits what only the end completes (e.g. a body ended by close). */
    void close(MessageSink out);

    /**
     * Version (1-255) of the format {@link #writeState} writes this decoder's current state in, or 0 when there is
     * none for it (a decoder not converted yet, or one mid-way through something its format leaves out): the state is
     * then kept in Java serialization. The answer may change from one segment to the next.
     */
    default int stateFormat() {
        return 0;
    }

    /** Writes the state in format {@link #stateFormat()}, which must not be 0. Does not change the state. */
    default void writeState(DataOutput out) throws IOException {
        throw new UnsupportedOperationException(getClass().getName() + " has no state format");
    }

    /**
     * Reads a state {@link #writeState} wrote in {@code format} into this decoder, fresh from
     * {@link ProtocolParser#newConnection()} (which supplies what is not state: options, shared tables).
     *
     * @throws IOException when this version of the decoder cannot read that format
     */
    default void readState(DataInput in, int format) throws IOException {
        throw new IOException(getClass().getName() + " reads no state format, was given format " + format);
    }
}
