package io.tapflow.flink.deadletter;

import io.tapflow.schema.DeadLetterReason;
import java.util.Objects;

/**
 * Thrown by a stage's logic to reject one input with a specific {@link DeadLetterReason}; a
 * {@link SafeProcessFunction} turns it into a dead letter with that reason (other exceptions become
 * {@link DeadLetterReason#PROCESSING_ERROR}).
 */
public class DeadLetterException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final DeadLetterReason reason;

    public DeadLetterException(DeadLetterReason reason, String message) {
        this(reason, message, null);
    }

    public DeadLetterException(DeadLetterReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public DeadLetterReason reason() {
        return reason;
    }
}
