package io.tapflow.llm.usage;

import io.tapflow.flink.serde.AvroSpecificTypeInfo;
import io.tapflow.llm.recognition.Hashes;
import io.tapflow.schema.LlmRequest;
import io.tapflow.schema.LlmUsage;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Billable usage per (tenant, model, UTC hour), counted at each request's start time: one {@link LlmUsage} state per
 * key ({@link #key()} = its usage_id), emitted with the hour's full totals when the watermark passes the hour's end
 * + {@code holdMs} (requests are emitted upstream only when they end, up to the exchange timeout after their start),
 * then again whenever a late request changes them, until {@code retentionMs} later the state is dropped. Requests
 * after that are counted in {@value #LATE_COUNTER} and not billed here (llm_requests still has them).
 *
 * <p>Why {@code version} is the number of requests in the totals, not an emission counter: which requests make it
 * into the first emission depends on when watermarks advance, which a replay after a failure does not reproduce.
 * With an emission counter, a run that failed after emitting v3 of partial totals and a replay whose final
 * emission is v2 would leave the stale v3 as ClickHouse's current row. The request count grows with every emission
 * (an emission happens only when a request was added), every emission of version N holds exactly N requests, and
 * the highest version is the one holding all of them: in any run, the same totals.
 */
public final class UsageAggregator extends KeyedProcessFunction<String, LlmRequest, LlmUsage> {

    private static final long serialVersionUID = 1L;

    /** Counter of requests that arrived after their hour's state was dropped. */
    public static final String LATE_COUNTER = "lateUsageRequests";

    static final long HOUR_MS = 3_600_000L;

    private final long holdMs;
    private final long retentionMs;

    private transient ValueState<LlmUsage> usage;
    private transient Counter late;

    public UsageAggregator(long holdMs, long retentionMs) {
        if (holdMs < 0 || retentionMs < 0) {
            throw new IllegalArgumentException("holdMs and retentionMs must be >= 0");
        }
        this.holdMs = holdMs;
        this.retentionMs = retentionMs;
    }

    /** The usage_id of a request's bucket: the key this function must be keyed by. */
    public static KeySelector<LlmRequest, String> key() {
        return r -> usageId(r.getTenant(), r.getModel(), hourStart(r));
    }

    static String usageId(String tenant, String model, long hourStartMs) {
        return Hashes.id(tenant == null ? "" : tenant, model, hourStartMs);
    }

    static long hourStart(LlmRequest r) {
        return Math.floorDiv(r.getStartTimeUs(), HOUR_MS * 1000) * HOUR_MS;
    }

    @Override
    public void open(OpenContext openContext) {
        usage = getRuntimeContext().getState(
                new ValueStateDescriptor<>("llm-usage", AvroSpecificTypeInfo.forRecord(LlmUsage.class)));
        late = getRuntimeContext().getMetricGroup().counter(LATE_COUNTER);
    }

    @Override
    public void processElement(LlmRequest r, Context ctx, Collector<LlmUsage> out) throws Exception {
        long hour = hourStart(r);
        long watermark = ctx.timerService().currentWatermark();
        if (cleanupTime(hour) <= watermark) {
            late.inc();
            return;
        }
        LlmUsage u = usage.value();
        if (u == null) {
            u = LlmUsage.newBuilder()
                    .setUsageId(ctx.getCurrentKey())
                    .setTenant(r.getTenant() == null ? "" : r.getTenant())
                    .setModel(r.getModel())
                    .setHourStartMs(hour)
                    .setRequests(0).setInputTokens(0).setOutputTokens(0).setEstimatedRequests(0)
                    .setVersion(0) // 0 = not emitted yet
                    .build();
            ctx.timerService().registerEventTimeTimer(firstEmission(hour));
            ctx.timerService().registerEventTimeTimer(cleanupTime(hour));
        }
        u.setRequests(u.getRequests() + 1);
        u.setInputTokens(u.getInputTokens() + r.getInputTokens());
        u.setOutputTokens(u.getOutputTokens() + r.getOutputTokens());
        if (r.getTokensEstimated()) {
            u.setEstimatedRequests(u.getEstimatedRequests() + 1);
        }
        if (u.getVersion() > 0) {
            emit(u, out); // after the first emission every change goes out at once
        }
        usage.update(u);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<LlmUsage> out) throws Exception {
        LlmUsage u = usage.value();
        if (u == null) {
            return;
        }
        if (timestamp == cleanupTime(u.getHourStartMs())) {
            if (u.getVersion() == 0) {
                emit(u, out); // hold and retention both 0: both timers at one instant
            }
            usage.clear();
        } else if (timestamp == firstEmission(u.getHourStartMs()) && u.getVersion() == 0) {
            emit(u, out);
            usage.update(u);
        }
    }

    private static void emit(LlmUsage u, Collector<LlmUsage> out) {
        u.setVersion(u.getRequests());
        out.collect(LlmUsage.newBuilder(u).build());
    }

    private long firstEmission(long hourStartMs) {
        return hourStartMs + HOUR_MS - 1 + holdMs;
    }

    private long cleanupTime(long hourStartMs) {
        return firstEmission(hourStartMs) + retentionMs;
    }
}
