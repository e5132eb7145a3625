package io.tapflow.trace.servicemap;

import io.tapflow.flink.serde.JavaSerializedTypeInfo;
import io.tapflow.schema.ServiceMapEdge;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Service-map edges per tumbling event-time window (ClickHouse service_map_1m), keyed by edge. A sample counts in
 * the window of its request's start, but reaches this stage only when its trace is emitted — the completion timeout
 * later — so a window is held open for {@code allowedLatenessMs} past its end and emitted once, when the watermark
 * passes that. A sample later still is counted ({@value #LATE_COUNTER}) and dropped: its span is in the trace
 * output, only the map misses it.
 *
 * <p>State: one {@link EdgeStats} per open window of the edge and the edge's dimensions; one timer per window. A
 * key whose windows have all fired holds nothing.
 */
public final class ServiceMapWindow extends KeyedProcessFunction<String, EdgeSample, ServiceMapEdge> {

    private static final long serialVersionUID = 1L;

    public static final String LATE_COUNTER = "lateEdgeSamples";

    private final long windowSizeMs;
    private final long allowedLatenessMs;

    private transient MapState<Long, EdgeStats> windows;
    private transient ValueState<EdgeSample> dims;
    private transient Counter late;

    public ServiceMapWindow(long windowSizeMs, long allowedLatenessMs) {
        if (windowSizeMs < 1 || allowedLatenessMs < 0) {
            throw new IllegalArgumentException("windowSizeMs >= 1 and allowedLatenessMs >= 0 required");
        }
        this.windowSizeMs = windowSizeMs;
        this.allowedLatenessMs = allowedLatenessMs;
    }

    @Override
    public void open(OpenContext openContext) {
        windows = getRuntimeContext().getMapState(new MapStateDescriptor<>("stats-by-window-start", Types.LONG,
                JavaSerializedTypeInfo.forClass(EdgeStats.class)));
        dims = getRuntimeContext().getState(new ValueStateDescriptor<>("edge", TypeInformation.of(EdgeSample.class)));
        late = getRuntimeContext().getMetricGroup().counter(LATE_COUNTER);
    }

    @Override
    public void processElement(EdgeSample sample, Context ctx, Collector<ServiceMapEdge> out) throws Exception {
        long startMs = Math.floorDiv(sample.startTimeUs(), 1000L);
        long windowStart = startMs - Math.floorMod(startMs, windowSizeMs);
        long fireAt = windowStart + windowSizeMs - 1 + allowedLatenessMs;
        if (fireAt <= ctx.timerService().currentWatermark()) {
            late.inc();
            return;
        }
        EdgeStats stats = windows.get(windowStart);
        if (stats == null) {
            stats = new EdgeStats();
            ctx.timerService().registerEventTimeTimer(fireAt);
        }
        stats.add(sample);
        windows.put(windowStart, stats);
        if (dims.value() == null) {
            dims.update(sample);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ServiceMapEdge> out) throws Exception {
        long windowStart = timestamp - allowedLatenessMs + 1 - windowSizeMs;
        EdgeStats stats = windows.get(windowStart);
        if (stats != null) {
            out.collect(stats.result(dims.value(), windowStart, windowSizeMs));
            windows.remove(windowStart);
        }
        if (windows.isEmpty()) {
            dims.clear();
        }
    }
}
