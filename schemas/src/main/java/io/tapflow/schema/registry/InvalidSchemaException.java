package io.tapflow.schema.registry;

/** The registry could not parse the schema (Confluent error_code 42201). */
public class InvalidSchemaException extends RegistryHttpException {

    public static final int ERROR_CODE = 42201;

    public InvalidSchemaException(int status, int errorCode, String registryMessage, String message) {
        super(status, errorCode, registryMessage, message);
    }

    private InvalidSchemaException(int status, int errorCode, String registryMessage, String message, Throwable cause) {
        super(status, errorCode, registryMessage, message, cause);
    }

    @Override
    public InvalidSchemaException withContext(String context) {
        return new InvalidSchemaException(status(), errorCode(), registryMessage(), context + ": " + getMessage(), this);
    }
}
