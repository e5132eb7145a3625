package io.tapflow.llm.metrics;

import io.tapflow.flink.serde.JavaSerializedTypeInfo;
import io.tapflow.schema.LlmRequest;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Tumbling event-time windows of {@link LlmRequest}s per key ({@link LlmMetricKeys}), one {@link LlmWindow} per
 * key and window. A request counts (requests, errors, tokens, TTFT/TPOT/E2E) in the window its start falls in
 * ({@link CountAt#START}, the contract of llm_metrics_1m) or its end falls in ({@link CountAt#END}, as an OTel SDK
 * in the server records at completion), and counts as in flight in every window its interval
 * {@code [start, start + e2e)} overlaps that has not fired yet (concurrency).
 *
 * <p>Why a window fires only {@code holdMs} after its end: a request is emitted upstream when its response ends,
 * up to the front end's exchange timeout after it started. Counted at START, requests that started in a window
 * arrive until then, so {@code holdMs} must be at least that timeout for exact rows. Counted at END, {@code holdMs}
 * only covers out-of-order arrival, so rows are timely (Prometheus); in-flight intervals of requests longer than
 * the hold then miss the windows that fired before they ended. A request whose counting window has fired is late:
 * counted in {@value #LATE_COUNTER} and dropped, never folded into a row already emitted.
 *
 * <p>State: one accumulator per open window in a map keyed by window start, and one event-time timer per open
 * window at its last millisecond + holdMs that emits and removes it, so a key whose windows have all fired holds no
 * state and no timers. Emitted rows carry the timer's timestamp.
 */
public final class LlmMetricsAggregator extends KeyedProcessFunction<String, LlmRequest, LlmWindow> {

    private static final long serialVersionUID = 1L;

    /** Counter of requests whose start window had fired when they arrived. */
    public static final String LATE_COUNTER = "lateLlmRequests";

    /** Which instant of a request picks the window it counts in. */
    public enum CountAt { START, END }

    private final long windowSizeMs;
    private final long holdMs;
    private final CountAt countAt;

    private transient MapState<Long, LlmWindowAccumulator> windows;
    private transient Counter late;

    public LlmMetricsAggregator(long windowSizeMs, long holdMs) {
        this(windowSizeMs, holdMs, CountAt.START);
    }

    public LlmMetricsAggregator(long windowSizeMs, long holdMs, CountAt countAt) {
        if (windowSizeMs <= 0 || windowSizeMs % 1000 != 0) {
            throw new IllegalArgumentException("windowSizeMs must be a positive number of seconds: " + windowSizeMs);
        }
        if (holdMs < 0) {
            throw new IllegalArgumentException("holdMs must be >= 0: " + holdMs);
        }
        this.windowSizeMs = windowSizeMs;
        this.holdMs = holdMs;
        this.countAt = Objects.requireNonNull(countAt, "countAt");
    }

    @Override
    public void open(OpenContext openContext) {
        windows = getRuntimeContext().getMapState(new MapStateDescriptor<>("llm-windows-by-start-ms", Types.LONG,
                JavaSerializedTypeInfo.forClass(LlmWindowAccumulator.class)));
        late = getRuntimeContext().getMetricGroup().counter(LATE_COUNTER);
    }

    @Override
    public void processElement(LlmRequest r, Context ctx, Collector<LlmWindow> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        long startUs = r.getStartTimeUs();
        long endUs = startUs + Math.max(0, r.getE2eUs());
        long counting = windowStart(Math.floorDiv(countAt == CountAt.START ? startUs : endUs, 1000));
        if (fireTime(counting) <= watermark) {
            late.inc();
            return;
        }
        LlmWindowAccumulator counted = window(counting, ctx);
        counted.addStarted(r);
        windows.put(counting, counted);
        // in flight: every open window the interval overlaps (the end is exclusive)
        long lastMs = Math.floorDiv(Math.max(startUs, endUs - 1), 1000);
        for (long w = windowStart(Math.floorDiv(startUs, 1000)); w <= windowStart(lastMs); w += windowSizeMs) {
            long from = Math.max(startUs, w * 1000);
            long to = Math.min(endUs, (w + windowSizeMs) * 1000);
            if (to > from && fireTime(w) > watermark) {
                LlmWindowAccumulator acc = w == counting ? counted : window(w, ctx);
                acc.addInFlight(r, from, to);
                windows.put(w, acc);
            }
        }
    }

    private LlmWindowAccumulator window(long start, Context ctx) throws Exception {
        LlmWindowAccumulator acc = windows.get(start);
        if (acc == null) {
            acc = new LlmWindowAccumulator();
            ctx.timerService().registerEventTimeTimer(fireTime(start));
        }
        return acc;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<LlmWindow> out) throws Exception {
        long start = timestamp - holdMs - windowSizeMs + 1;
        LlmWindowAccumulator acc = windows.get(start);
        if (acc != null) {
            out.collect(acc.result(start, windowSizeMs));
            windows.remove(start);
        }
    }

    private long fireTime(long windowStartMs) {
        return windowStartMs + windowSizeMs - 1 + holdMs;
    }

    private long windowStart(long timestampMs) {
        return timestampMs - Math.floorMod(timestampMs, windowSizeMs);
    }
}
