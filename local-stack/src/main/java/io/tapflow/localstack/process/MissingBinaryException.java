package io.tapflow.localstack.process;

/** A server binary the local stack needs is not installed; the message names the setup step that installs it. */
public final class MissingBinaryException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public MissingBinaryException(String message) {
        super(message);
    }
}
