package io.tapflow.schema.registry;

/**
 * The registry answered with an error. Carries the HTTP status, Confluent's {@code error_code} (or -1 when the
 * body had none) and the registry's own message. Specific, well-known errors are subclasses.
 */
public class RegistryHttpException extends SchemaRegistryException {

    private final int status;
    private final int errorCode;
    private final String registryMessage;

    public RegistryHttpException(int status, int errorCode, String registryMessage, String message) {
        this(status, errorCode, registryMessage, message, null);
    }

    protected RegistryHttpException(int status, int errorCode, String registryMessage, String message,
            Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
        this.registryMessage = registryMessage;
    }

    public int status() {
        return status;
    }

    /** Confluent's {@code error_code}, e.g. 40401; -1 if the response did not carry one. */
    public int errorCode() {
        return errorCode;
    }

    /** The {@code message} field of the registry's error body, verbatim. */
    public String registryMessage() {
        return registryMessage;
    }

    @Override
    public RegistryHttpException withContext(String context) {
        return new RegistryHttpException(status, errorCode, registryMessage, context + ": " + getMessage(), this);
    }
}
