package io.tapflow.llm.prometheus;

import io.tapflow.flink.sink.prometheus.PrometheusTimeSeries;
import io.tapflow.llm.metrics.GenAiBuckets;
import io.tapflow.llm.metrics.LlmWindow;
import io.tapflow.schema.LlmMetric;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.BasicArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns the windows of one Prometheus label set (keyed by {@code LlmMetricKeys.seriesOfWindow()}) into
 * cumulative Prometheus series, one sample per window at the window's end:
 * <ul>
 *   <li>classic histograms {@code gen_ai_server_time_to_first_token_seconds},
 *       {@code gen_ai_server_time_per_output_token_seconds}, {@code gen_ai_server_request_duration_seconds}
 *       ({@code _bucket{le}} cumulative over le, {@code _sum} in seconds, {@code _count}) with the GenAI bounds;</li>
 *   <li>counters {@code gen_ai_server_tokens_total{gen_ai_token_type="input"|"output"}},
 *       {@code gen_ai_server_requests_total}, {@code gen_ai_server_request_errors_total};</li>
 *   <li>gauges {@code gen_ai_server_concurrent_requests_max} and {@code _mean} (of the window).</li>
 * </ul>
 * Labels: service, model, provider, operation, observation_point only (low cardinality; never request ids or
 * tenants); an empty value becomes "unknown" (Prometheus drops empty labels).
 *
 * <p>Why state: rate() and histogram_quantile() need counters that only grow, but windows carry deltas. The running
 * totals live in keyed state; a window at or before the last one written is dropped and counted in
 * {@value #OUT_OF_ORDER_COUNTER} (remote write rejects samples out of time order). A key without windows for
 * {@code idleMs} of event time is forgotten (a timer clears its state): its counters restart at 0 when it
 * returns, which rate() reads as a counter reset.
 *
 * <p>Why the gauges get a 0 of their own: windows come only for time with traffic, and Prometheus answers an
 * instant query with the latest sample of the last 5 minutes, so after a burst the concurrency gauges would go on
 * saying "28 in flight" for 5 minutes of silence. When the window after a written one has not come by the time it
 * would have ({@code holdMs} after its end: the windows stage's hold), nothing was in flight during it, and both
 * gauges are written as 0 at its end, once; the labels for that are kept in state beside the totals.
 */
public final class LlmPrometheusSeries extends KeyedProcessFunction<String, LlmWindow, PrometheusTimeSeries> {

    private static final long serialVersionUID = 1L;

    public static final String OUT_OF_ORDER_COUNTER = "outOfOrderLlmWindows";

    public static final String TTFT = "gen_ai_server_time_to_first_token_seconds";
    public static final String TPOT = "gen_ai_server_time_per_output_token_seconds";
    public static final String DURATION = "gen_ai_server_request_duration_seconds";
    public static final String TOKENS = "gen_ai_server_tokens_total";
    public static final String REQUESTS = "gen_ai_server_requests_total";
    public static final String ERRORS = "gen_ai_server_request_errors_total";
    public static final String CONCURRENCY_MAX = "gen_ai_server_concurrent_requests_max";
    public static final String CONCURRENCY_MEAN = "gen_ai_server_concurrent_requests_mean";

    // layout of the running totals: each histogram's buckets (+Inf last), sum (s), count; then the counters
    private static final int TTFT_AT = 0;
    private static final int TPOT_AT = TTFT_AT + GenAiBuckets.TTFT_SECONDS.length + 3;
    private static final int E2E_AT = TPOT_AT + GenAiBuckets.TPOT_SECONDS.length + 3;
    private static final int INPUT_AT = E2E_AT + GenAiBuckets.E2E_SECONDS.length + 3;
    private static final int OUTPUT_AT = INPUT_AT + 1;
    private static final int REQUESTS_AT = OUTPUT_AT + 1;
    private static final int ERRORS_AT = REQUESTS_AT + 1;
    private static final int SIZE = ERRORS_AT + 1;

    private static final String[] LABEL_NAMES = {"service", "model", "provider", "operation", "observation_point"};

    private final long windowMs;
    private final long holdMs;
    private final long idleMs;

    private transient ValueState<double[]> totals;
    private transient ValueState<Long> lastSampleMs;
    private transient ValueState<String[]> labelValues;
    private transient Counter outOfOrder;

    /**
     * @param windowMs size of the windows (all of one size)
     * @param holdMs   how long after its end the windows stage emits a window: when the next window is overdue
     * @param idleMs   event time after which a label set without windows is forgotten
     */
    public LlmPrometheusSeries(long windowMs, long holdMs, long idleMs) {
        if (windowMs <= 0 || holdMs < 0 || idleMs <= 0) {
            throw new IllegalArgumentException("windowMs and idleMs must be positive, holdMs >= 0: " + windowMs
                    + ", " + holdMs + ", " + idleMs);
        }
        this.windowMs = windowMs;
        this.holdMs = holdMs;
        this.idleMs = idleMs;
    }

    @Override
    public void open(OpenContext openContext) {
        totals = getRuntimeContext().getState(new ValueStateDescriptor<>("llm-prometheus-totals",
                PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO));
        lastSampleMs = getRuntimeContext().getState(new ValueStateDescriptor<>("llm-prometheus-last-ms", Types.LONG));
        labelValues = getRuntimeContext().getState(new ValueStateDescriptor<>("llm-prometheus-labels",
                BasicArrayTypeInfo.STRING_ARRAY_TYPE_INFO));
        outOfOrder = getRuntimeContext().getMetricGroup().counter(OUT_OF_ORDER_COUNTER);
    }

    @Override
    public void processElement(LlmWindow w, Context ctx, Collector<PrometheusTimeSeries> out) throws Exception {
        LlmMetric m = w.metric();
        long sampleMs = m.getWindowStartMs() + m.getWindowSizeMs();
        Long last = lastSampleMs.value();
        if (last != null && sampleMs <= last) {
            outOfOrder.inc();
            return;
        }
        double[] t = totals.value();
        if (t == null) {
            t = new double[SIZE];
        }
        add(t, TTFT_AT, GenAiBuckets.TTFT_SECONDS.length, m.getTtftBucketCounts(), m.getTtftSumUs(), m.getTtftCount());
        add(t, TPOT_AT, GenAiBuckets.TPOT_SECONDS.length, m.getTpotBucketCounts(), m.getTpotSumUs(), m.getTpotCount());
        add(t, E2E_AT, GenAiBuckets.E2E_SECONDS.length, m.getE2eBucketCounts(), m.getE2eSumUs(), m.getE2eCount());
        t[INPUT_AT] += m.getInputTokens();
        t[OUTPUT_AT] += m.getOutputTokens();
        t[REQUESTS_AT] += m.getRequests();
        t[ERRORS_AT] += m.getErrors();
        totals.update(t);
        lastSampleMs.update(sampleMs);
        ctx.timerService().registerEventTimeTimer(sampleMs + idleMs);
        ctx.timerService().registerEventTimeTimer(nextWindowDueMs(sampleMs));

        String[] values = labelValues(w);
        labelValues.update(values);
        Map<String, String> labels = labels(values);
        histogram(out, TTFT, labels, GenAiBuckets.TTFT_SECONDS, t, TTFT_AT, sampleMs);
        histogram(out, TPOT, labels, GenAiBuckets.TPOT_SECONDS, t, TPOT_AT, sampleMs);
        histogram(out, DURATION, labels, GenAiBuckets.E2E_SECONDS, t, E2E_AT, sampleMs);
        out.collect(series(TOKENS, labels, "gen_ai_token_type", "input", sampleMs, t[INPUT_AT]));
        out.collect(series(TOKENS, labels, "gen_ai_token_type", "output", sampleMs, t[OUTPUT_AT]));
        out.collect(series(REQUESTS, labels, null, null, sampleMs, t[REQUESTS_AT]));
        out.collect(series(ERRORS, labels, null, null, sampleMs, t[ERRORS_AT]));
        out.collect(series(CONCURRENCY_MAX, labels, null, null, sampleMs, m.getConcurrencyMax()));
        out.collect(series(CONCURRENCY_MEAN, labels, null, null, sampleMs, m.getConcurrencyMean()));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PrometheusTimeSeries> out) throws Exception {
        Long last = lastSampleMs.value();
        if (last == null) {
            return;
        }
        // only the timers of the latest sample act: earlier ones find a newer sample
        if (last + idleMs <= timestamp) {
            totals.clear();
            lastSampleMs.clear();
            labelValues.clear();
        } else if (timestamp == nextWindowDueMs(last)) {
            long quietEndMs = last + windowMs;
            Map<String, String> labels = labels(labelValues.value());
            out.collect(series(CONCURRENCY_MAX, labels, null, null, quietEndMs, 0));
            out.collect(series(CONCURRENCY_MEAN, labels, null, null, quietEndMs, 0));
            lastSampleMs.update(quietEndMs);
            ctx.timerService().registerEventTimeTimer(quietEndMs + idleMs);
        }
    }

    /** When the window after the one whose sample is at {@code sampleMs} has come, if it had traffic. */
    private long nextWindowDueMs(long sampleMs) {
        return sampleMs + windowMs - 1 + holdMs;
    }

    /** Adds a window's histogram: its buckets at {@code at}, then the sum (seconds) and the count. */
    private static void add(double[] t, int at, int bounds, List<Long> buckets, long sumUs, long count) {
        for (int i = 0; i < buckets.size(); i++) {
            t[at + i] += buckets.get(i);
        }
        t[at + bounds + 1] += sumUs / 1e6;
        t[at + bounds + 2] += count;
    }

    private static void histogram(Collector<PrometheusTimeSeries> out, String name, Map<String, String> labels,
            double[] bounds, double[] t, int at, long sampleMs) {
        double cumulative = 0;
        for (int i = 0; i <= bounds.length; i++) {
            cumulative += t[at + i];
            String le = i < bounds.length ? Double.toString(bounds[i]) : "+Inf";
            out.collect(series(name + "_bucket", labels, "le", le, sampleMs, cumulative));
        }
        out.collect(series(name + "_sum", labels, null, null, sampleMs, t[at + bounds.length + 1]));
        out.collect(series(name + "_count", labels, null, null, sampleMs, t[at + bounds.length + 2]));
    }

    private static String[] labelValues(LlmWindow w) {
        return new String[] {orUnknown(w.metric().getService()), orUnknown(w.metric().getModel()),
                orUnknown(w.provider()), orUnknown(w.operation()),
                w.metric().getObservationPoint().name().toLowerCase(java.util.Locale.ROOT)};
    }

    private static Map<String, String> labels(String[] values) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0; i < LABEL_NAMES.length; i++) {
            labels.put(LABEL_NAMES[i], values[i]);
        }
        return labels;
    }

    private static String orUnknown(String v) {
        return v == null || v.isEmpty() ? "unknown" : v;
    }

    private static PrometheusTimeSeries series(String name, Map<String, String> labels, String extraName,
            String extraValue, long sampleMs, double value) {
        PrometheusTimeSeries.Builder b = PrometheusTimeSeries.builder(name).labels(labels);
        if (extraName != null) {
            b.label(extraName, extraValue);
        }
        return b.sample(sampleMs, value).build();
    }

    /** Every metric name this function writes, for dashboards and tests. */
    public static List<String> metricNames() {
        List<String> names = new ArrayList<>();
        for (String h : List.of(TTFT, TPOT, DURATION)) {
            names.add(h + "_bucket");
            names.add(h + "_sum");
            names.add(h + "_count");
        }
        names.addAll(List.of(TOKENS, REQUESTS, ERRORS, CONCURRENCY_MAX, CONCURRENCY_MEAN));
        return names;
    }
}
