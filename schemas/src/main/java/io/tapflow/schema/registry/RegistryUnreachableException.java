package io.tapflow.schema.registry;

/** The registry could not be reached (connection refused, timeout, 5xx) even after every allowed retry. */
public class RegistryUnreachableException extends SchemaRegistryException {

    private final String url;
    private final int attempts;

    public RegistryUnreachableException(String url, int attempts, String message, Throwable cause) {
        super(message, cause);
        this.url = url;
        this.attempts = attempts;
    }

    /** The request URL (credentials removed). */
    public String url() {
        return url;
    }

    /** How many requests were sent before giving up. */
    public int attempts() {
        return attempts;
    }

    @Override
    public RegistryUnreachableException withContext(String context) {
        return new RegistryUnreachableException(url, attempts, context + ": " + getMessage(), this);
    }
}
