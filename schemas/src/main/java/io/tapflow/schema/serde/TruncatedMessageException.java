package io.tapflow.schema.serde;

/**
 * The message ends too early: shorter than the 5-byte header, or the Avro body ends before the writer schema's
 * fields do.
 */
public class TruncatedMessageException extends WireFormatException {

    public TruncatedMessageException(String message) {
        super(message);
    }

    public TruncatedMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
