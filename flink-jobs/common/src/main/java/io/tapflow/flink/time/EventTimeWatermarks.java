package io.tapflow.flink.time;

import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.function.ToLongFunction;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Watermark strategies for the raw capture events: event time is the syscall's {@code timestamp_ns} (converted to
 * the milliseconds Flink uses), watermarks trail the highest seen time by a bounded out-of-orderness, and a split
 * that goes quiet (an idle agent's partition) is marked idle so it does not hold back the other partitions.
 */
public final class EventTimeWatermarks {

    /** Agents flush per-CPU buffers about every second; a few seconds covers their reordering. */
    public static final Duration DEFAULT_OUT_OF_ORDERNESS = Duration.ofSeconds(5);
    public static final Duration DEFAULT_IDLENESS = Duration.ofMinutes(1);

    private static final long NANOS_PER_MILLI = 1_000_000L;

    /** Event-time extractor that Flink can ship with the job graph (a lambda target). */
    @FunctionalInterface
    public interface NanosExtractor<T> extends ToLongFunction<T>, Serializable {
    }

    private EventTimeWatermarks() {
    }

    public static WatermarkStrategy<SocketDataEvent> socketData(Duration outOfOrderness, Duration idleness) {
        return fromNanos(SocketDataEvent::getTimestampNs, outOfOrderness, idleness);
    }

    public static WatermarkStrategy<TcpEvent> tcpEvents(Duration outOfOrderness, Duration idleness) {
        return fromNanos(TcpEvent::getTimestampNs, outOfOrderness, idleness);
    }

    /**
     * Bounded out-of-orderness watermarks over event time read as nanoseconds since the epoch.
     *
     * @param idleness quiet time after which a split is idle; zero disables idleness
     */
    public static <T> WatermarkStrategy<T> fromNanos(NanosExtractor<T> timestampNs, Duration outOfOrderness,
            Duration idleness) {
        Objects.requireNonNull(timestampNs, "timestampNs");
        requireNonNegative(outOfOrderness, "outOfOrderness");
        requireNonNegative(idleness, "idleness");
        SerializableTimestampAssigner<T> assigner = (event, recordTs) -> nanosToMillis(timestampNs.applyAsLong(event));
        WatermarkStrategy<T> strategy = WatermarkStrategy.<T>forBoundedOutOfOrderness(outOfOrderness)
                .withTimestampAssigner(assigner);
        return idleness.isZero() ? strategy : strategy.withIdleness(idleness);
    }

    /** Floor division so an event 1 ns before a millisecond boundary never lands after it. */
    public static long nanosToMillis(long nanos) {
        return Math.floorDiv(nanos, NANOS_PER_MILLI);
    }

    private static void requireNonNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + d);
        }
    }
}
