package io.tapflow.protocols;

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
 */
public interface StreamDecoder extends Serializable {

    /** Feeds the next segment and emits every message it completes. */
    void feed(Segment segment, MessageSink out);

    /** The stream ended (connection closed): emits what only the end completes (e.g. a body ended by close). */
    void close(MessageSink out);
}
