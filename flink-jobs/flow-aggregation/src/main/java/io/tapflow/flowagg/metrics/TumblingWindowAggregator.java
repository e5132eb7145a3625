package io.tapflow.flowagg.metrics;

import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Tumbling event-time windows over keyed input, one row per key and window, emitted once when the watermark passes
 * the window's end.
 *
 * <p>Why not the DataStream window API: the window an input counts in is picked from a field of the record
 * ({@link WindowAggregation#eventTimeMs}), not from the stream timestamp an upstream stage assigned, and a late
 * input goes to a side output <em>and</em> a counter ({@value #LATE_COUNTER}) in one place.
 *
 * <p>State: one accumulator per open window of the key, in a map keyed by window start, and one event-time timer
 * per open window at its last millisecond. The timer emits and removes its window, so a key whose windows have all
 * fired holds no state and no timers. An input whose window has already fired (its end is at or behind the
 * watermark) is late: it is emitted unchanged on the late output tag and counted, never folded into a new row of a
 * window already emitted. A row's stream timestamp is its window's last millisecond.
 */
public final class TumblingWindowAggregator<K, IN, ACC, OUT> extends KeyedProcessFunction<K, IN, OUT> {

    private static final long serialVersionUID = 1L;

    /** Counter of late inputs. */
    public static final String LATE_COUNTER = "lateRecords";

    private final WindowAggregation<K, IN, ACC, OUT> aggregation;
    private final TypeInformation<ACC> accumulatorType;
    private final long windowSizeMs;
    private final OutputTag<IN> lateTag;

    private transient MapState<Long, ACC> windows;
    private transient Counter lateRecords;

    public TumblingWindowAggregator(WindowAggregation<K, IN, ACC, OUT> aggregation, TypeInformation<ACC> accumulatorType,
            long windowSizeMs, OutputTag<IN> lateTag) {
        if (windowSizeMs <= 0) {
            throw new IllegalArgumentException("windowSizeMs must be positive: " + windowSizeMs);
        }
        this.aggregation = Objects.requireNonNull(aggregation, "aggregation");
        this.accumulatorType = Objects.requireNonNull(accumulatorType, "accumulatorType");
        this.windowSizeMs = windowSizeMs;
        this.lateTag = Objects.requireNonNull(lateTag, "lateTag");
    }

    @Override
    public void open(OpenContext openContext) {
        windows = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("windows-by-start-ms", Types.LONG, accumulatorType));
        lateRecords = getRuntimeContext().getMetricGroup().counter(LATE_COUNTER);
    }

    @Override
    public void processElement(IN input, Context ctx, Collector<OUT> out) throws Exception {
        long windowStart = windowStart(aggregation.eventTimeMs(input), windowSizeMs);
        long lastMs = windowStart + windowSizeMs - 1;
        if (lastMs <= ctx.timerService().currentWatermark()) {
            ctx.output(lateTag, input);
            lateRecords.inc();
            return;
        }
        ACC accumulator = windows.get(windowStart);
        if (accumulator == null) {
            accumulator = aggregation.createAccumulator();
            ctx.timerService().registerEventTimeTimer(lastMs);
        }
        aggregation.add(accumulator, input);
        // put even when the accumulator was mutated in place: serializing backends (RocksDB) hold a copy
        windows.put(windowStart, accumulator);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<OUT> out) throws Exception {
        long windowStart = timestamp + 1 - windowSizeMs;
        ACC accumulator = windows.get(windowStart);
        if (accumulator != null) {
            out.collect(aggregation.result(ctx.getCurrentKey(), windowStart, windowSizeMs, accumulator));
            windows.remove(windowStart);
        }
    }

    /** Start of the tumbling window (aligned to the epoch) that holds {@code timestampMs}. */
    static long windowStart(long timestampMs, long windowSizeMs) {
        return timestampMs - Math.floorMod(timestampMs, windowSizeMs);
    }
}
