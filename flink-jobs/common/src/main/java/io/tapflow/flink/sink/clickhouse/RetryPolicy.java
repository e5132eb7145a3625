package io.tapflow.flink.sink.clickhouse;

import java.io.Serializable;
import java.time.Duration;

/**
 * Bounded exponential backoff for retriable insert failures: attempt 1 is the first send; after failed attempt
 * {@code n} the batch waits {@code min(initial * 2^(n-1), max)} before attempt {@code n + 1}, and after
 * {@code maxAttempts} failed attempts the failure becomes fatal. No jitter: one writer per subtask, and a herd of
 * subtasks hitting a recovering server at once is what {@code max} bounds.
 */
final class RetryPolicy implements Serializable {

    private static final long serialVersionUID = 1L;

    private final long initialBackoffMs;
    private final long maxBackoffMs;
    private final int maxAttempts;

    RetryPolicy(Duration initialBackoff, Duration maxBackoff, int maxAttempts) {
        this.initialBackoffMs = initialBackoff.toMillis();
        this.maxBackoffMs = maxBackoff.toMillis();
        this.maxAttempts = maxAttempts;
    }

    /** True when a batch whose attempt number {@code attempt} just failed may be sent again. */
    boolean mayRetryAfter(int attempt) {
        return attempt < maxAttempts;
    }

    /** Milliseconds to wait after failed attempt number {@code attempt} (1-based). */
    long backoffMsAfter(int attempt) {
        int doublings = Math.max(0, Math.min(attempt - 1, 30));
        long delay = initialBackoffMs << doublings;
        return delay <= 0 || delay > maxBackoffMs ? maxBackoffMs : delay;
    }

    int maxAttempts() {
        return maxAttempts;
    }

    long maxBackoffMs() {
        return maxBackoffMs;
    }
}
