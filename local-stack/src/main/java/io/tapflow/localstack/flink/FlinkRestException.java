package io.tapflow.localstack.flink;

import java.util.List;

/**
 * A Flink REST call failed: the cluster was unreachable, or it answered with an error. {@link #getMessage()} is one
 * line naming the call and the server's cause; {@link #serverErrors()} holds Flink's full {@code errors} array
 * (usually with the server-side stack trace).
 */
public final class FlinkRestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final List<String> serverErrors;

    FlinkRestException(String message, int status, List<String> serverErrors, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.serverErrors = List.copyOf(serverErrors);
    }

    /** The HTTP status, or 0 when no answer came (unreachable, timeout). */
    public int status() {
        return status;
    }

    public List<String> serverErrors() {
        return serverErrors;
    }
}
