package io.tapflow.schema.registry;

import java.time.Duration;

/**
 * Bounded exponential backoff: at most {@code maxAttempts} requests, waiting {@code initialBackoff},
 * then twice that, ... never more than {@code maxBackoff} between two attempts.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

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

    /** The pause after failed attempt number {@code attempt} (1-based). */
    public Duration backoffAfter(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt is 1-based, was " + attempt);
        }
        long initial = initialBackoff.toMillis();
        long max = maxBackoff.toMillis();
        // shift capped so the multiplication cannot overflow
        long delay = initial << Math.min(attempt - 1, 30);
        return Duration.ofMillis(delay < initial || delay > max ? max : delay);
    }
}
