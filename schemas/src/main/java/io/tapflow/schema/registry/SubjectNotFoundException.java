package io.tapflow.schema.registry;

/** A subject the registry does not know (Confluent error_code 40401). */
public class SubjectNotFoundException extends RegistryHttpException {

    public static final int ERROR_CODE = 40401;

    public SubjectNotFoundException(int status, int errorCode, String registryMessage, String message) {
        super(status, errorCode, registryMessage, message);
    }

    private SubjectNotFoundException(int status, int errorCode, String registryMessage, String message, Throwable cause) {
        super(status, errorCode, registryMessage, message, cause);
    }

    @Override
    public SubjectNotFoundException withContext(String context) {
        return new SubjectNotFoundException(status(), errorCode(), registryMessage(), context + ": " + getMessage(), this);
    }
}
