package io.tapflow.schema.registry;

/** A schema id the registry does not know (Confluent error_code 40403). */
public class SchemaNotFoundException extends RegistryHttpException {

    public static final int ERROR_CODE = 40403;

    public SchemaNotFoundException(int status, int errorCode, String registryMessage, String message) {
        super(status, errorCode, registryMessage, message);
    }

    private SchemaNotFoundException(int status, int errorCode, String registryMessage, String message, Throwable cause) {
        super(status, errorCode, registryMessage, message, cause);
    }

    @Override
    public SchemaNotFoundException withContext(String context) {
        return new SchemaNotFoundException(status(), errorCode(), registryMessage(), context + ": " + getMessage(), this);
    }
}
