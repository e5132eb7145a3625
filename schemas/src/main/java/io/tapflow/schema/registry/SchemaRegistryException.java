package io.tapflow.schema.registry;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Root of every schema-registry failure. It extends Kafka's {@link SerializationException} so a producer or
 * consumer treats a registry problem like any other serde failure (the record fails, the client keeps running).
 */
public class SchemaRegistryException extends SerializationException {

    public SchemaRegistryException(String message) {
        super(message);
    }

    public SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The same failure with {@code context} (for example the topic being (de)serialized) in front of the
     * message; the type is kept so callers can still catch the specific exception. The original is the cause.
     */
    public SchemaRegistryException withContext(String context) {
        return new SchemaRegistryException(context + ": " + getMessage(), this);
    }
}
