package io.tapflow.trace;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the trace-assembly stages.
 *
 * @param completionTimeout event time without change after which a trace is emitted
 * @param lateRetention event time a trace is kept after its emission so that late spans update it
 * @param clockTolerance largest clock difference between agents that still links their spans
 * @param requireSameAddresses tcp_seq pairs must report the same 4-tuple at both ends (off behind NAT)
 * @param maxSpansPerTrace merges beyond this size are refused
 * @param maxSpans logs held by the component tracker before the earliest trace is emitted early
 * @param maxLogsPerKey logs held per link key
 * @param serviceMapWindow window of the service-map edges
 * @param serviceMapLateness how long past its end a service-map window waits for samples of late traces
 */
public record AssemblyOptions(Duration completionTimeout, Duration lateRetention, Duration clockTolerance,
        boolean requireSameAddresses, int maxSpansPerTrace, long maxSpans, int maxLogsPerKey,
        Duration serviceMapWindow, Duration serviceMapLateness) implements Serializable {

    public AssemblyOptions {
        Objects.requireNonNull(completionTimeout, "completionTimeout");
        Objects.requireNonNull(lateRetention, "lateRetention");
        Objects.requireNonNull(clockTolerance, "clockTolerance");
        Objects.requireNonNull(serviceMapWindow, "serviceMapWindow");
        Objects.requireNonNull(serviceMapLateness, "serviceMapLateness");
        if (completionTimeout.toMillis() < 1 || lateRetention.isNegative() || clockTolerance.isNegative()
                || serviceMapWindow.toMillis() < 1 || serviceMapLateness.isNegative()) {
            throw new IllegalArgumentException("durations must be positive (timeouts, window) or non-negative");
        }
    }

    /** Completion after 10 s of quiet, 2 min for late spans, 1 s of clock skew, 1 min map windows. */
    public static AssemblyOptions defaults() {
        Duration completion = Duration.ofSeconds(10);
        return new AssemblyOptions(completion, Duration.ofMinutes(2), Duration.ofSeconds(1), true, 10_000,
                2_000_000L, 64, Duration.ofMinutes(1), completion.plus(Duration.ofSeconds(30)));
    }

    /** The same settings with another completion timeout (the map's lateness follows it). */
    public AssemblyOptions withCompletionTimeout(Duration timeout) {
        return new AssemblyOptions(timeout, lateRetention, clockTolerance, requireSameAddresses, maxSpansPerTrace,
                maxSpans, maxLogsPerKey, serviceMapWindow, timeout.plus(Duration.ofSeconds(30)));
    }
}
