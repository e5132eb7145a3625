package io.tapflow.protocols;

/** Receives what a {@link StreamDecoder} decodes. */
public interface MessageSink {

    void message(L7Message message);

    /** Bytes were dropped; the default ignores it (callers that count errors override). */
    default void error(DecodeError error) {
    }
}
