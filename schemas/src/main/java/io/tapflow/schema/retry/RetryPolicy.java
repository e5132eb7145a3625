package io.tapflow.schema.retry;

import java.io.Serializable;
import java.time.Duration;

/**
 * Bounded exponential backoff, the one rule every tapflow client and sink retries by: at most
 * {@code maxAttempts} attempts (the first send counts), waiting {@code initialBackoff}, then twice that, ... never
 * more than {@code maxBackoff} between two attempts. No jitter: one writer per subtask, and a herd hitting a
 * recovering server at once is what {@code maxBackoff} bounds. Serializable so Flink sinks can ship it.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) implements Serializable {

    public static final RetryPolicy DEFAULT = new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(2));

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.isNegative()) {
            throw new IllegalArgumentException("backoff must not be negative");
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff " + maxBackoff + " < initialBackoff " + initialBackoff);
        }
    }

    /** True when attempt number {@code attempt} (1-based) failed and another one is allowed. */
    public boolean mayRetryAfter(int attempt) {
        return attempt < maxAttempts;
    }

    /** The pause after failed attempt number {@code attempt} (1-based). */
    public Duration backoffAfter(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt is 1-based, was " + attempt);
        }
        return Duration.ofMillis(backoffMs(initialBackoff.toMillis(), maxBackoff.toMillis(), attempt));
    }

    /** {@code min(initialMs * 2^(attempt-1), maxMs)} for a 1-based attempt, without overflow. */
    public static long backoffMs(long initialMs, long maxMs, int attempt) {
        // shift capped so the multiplication cannot overflow
        long delay = initialMs << Math.max(0, Math.min(attempt - 1, 30));
        return delay < initialMs || delay > maxMs ? maxMs : delay;
    }
}
