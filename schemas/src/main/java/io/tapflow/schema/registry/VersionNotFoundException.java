package io.tapflow.schema.registry;

/** A version the subject does not have (Confluent error_code 40402). */
public class VersionNotFoundException extends RegistryHttpException {

    public static final int ERROR_CODE = 40402;

    public VersionNotFoundException(int status, int errorCode, String registryMessage, String message) {
        super(status, errorCode, registryMessage, message);
    }

    private VersionNotFoundException(int status, int errorCode, String registryMessage, String message, Throwable cause) {
        super(status, errorCode, registryMessage, message, cause);
    }

    @Override
    public VersionNotFoundException withContext(String context) {
        return new VersionNotFoundException(status(), errorCode(), registryMessage(), context + ": " + getMessage(), this);
    }
}
