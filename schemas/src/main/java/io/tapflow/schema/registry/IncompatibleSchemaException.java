package io.tapflow.schema.registry;

/** The registry rejected a schema as incompatible with the subject's earlier versions (HTTP 409); {@link #registryMessage()} says why. */
public class IncompatibleSchemaException extends RegistryHttpException {

    public static final int ERROR_CODE = 409;

    public IncompatibleSchemaException(int status, int errorCode, String registryMessage, String message) {
        super(status, errorCode, registryMessage, message);
    }

    private IncompatibleSchemaException(int status, int errorCode, String registryMessage, String message, Throwable cause) {
        super(status, errorCode, registryMessage, message, cause);
    }

    @Override
    public IncompatibleSchemaException withContext(String context) {
        return new IncompatibleSchemaException(status(), errorCode(), registryMessage(), context + ": " + getMessage(), this);
    }
}
