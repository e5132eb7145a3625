package io.tapflow.schema.serde;

import org.apache.kafka.common.errors.SerializationException;

/** The bytes of a record are not a well-formed Confluent wire-format message. */
public class WireFormatException extends SerializationException {

    public WireFormatException(String message) {
        super(message);
    }

    public WireFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
