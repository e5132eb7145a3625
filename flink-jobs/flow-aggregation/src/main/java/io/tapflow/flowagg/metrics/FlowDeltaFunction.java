package io.tapflow.flowagg.metrics;

import io.tapflow.schema.CloseType;
import io.tapflow.schema.FlowLog;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Turns the cumulative emissions of one flow (keyed by {@code flow_id}) into per-window contributions to
 * {@code NetMetric}: what changed since the last counted emission, on the edge the emission names.
 *
 * <p>Counting rules, per flow:
 * <ul>
 *   <li>bytes, retransmits and resets: the increase over the last counted emission, in the window of the
 *       emission's {@code end_time_us} (an emission does not say when in between the bytes moved; counters that
 *       go down are taken as no increase);</li>
 *   <li>new_flows: once, when the flow is first seen, in the window of its {@code start_time_us};</li>
 *   <li>connect latency: once, from the first emission that carries one, in the window of
 *       {@code start_time_us + connect_latency_us} (when the connect completed);</li>
 *   <li>srtt samples: an emission carrying a non-null {@code srtt_us} that differs from the last one seen; the
 *       kernel's smoothed RTT changes with every ACK, so an unchanged value is a repeat, not a new sample. Counted
 *       in the emission's window;</li>
 *   <li>closed_flows, connect_failures (close_type CONNECT_FAILED) and timeouts (close_type TIMEOUT): at the final
 *       emission, in its window.</li>
 * </ul>
 * A start-time window (new flow, connect latency) may have fired already when the flow is first seen (the first
 * periodic emission comes well after the start); then the contribution counts in the emission's window instead,
 * so the flow is counted late rather than lost. That choice follows the watermark, so it is the one rule here a
 * replay with a different watermark cadence could decide differently, for flows seen first near a window end.
 *
 * <p>Emissions whose sequence is not above the last counted one are repeats of older news and are ignored. An
 * emission whose own window has fired is late: it goes to the late output tag and the {@value #LATE_COUNTER}
 * counter and is not counted; the state keeps the older base, so the next emission's delta still covers its
 * increase. A late final emission ends the flow's state (its close is in the late record only).
 *
 * <p>State per flow: one {@link FlowProgress} and one event-time idle timer, both cleared at the final emission
 * or when no emission came for the idle timeout (a flow whose final emission never arrives). Contributions are
 * never late downstream: they are emitted only into windows this operator's watermark has not passed, and the
 * downstream watermark cannot be ahead of it.
 */
public final class FlowDeltaFunction extends KeyedProcessFunction<String, FlowLog, NetContribution> {

    private static final long serialVersionUID = 1L;

    /** Counter of late flow logs. */
    public static final String LATE_COUNTER = "lateFlowLogs";

    private final long windowSizeMs;
    private final long idleTimeoutMs;
    private final OutputTag<FlowLog> lateTag;

    private transient ValueState<FlowProgress> progressState;
    private transient Counter lateFlowLogs;

    /**
     * @param windowSizeMs size of the NetMetric windows the contributions are counted in
     * @param idleTimeoutMs event time after a flow's last emission at which its state is dropped; longer than the
     *     upstream emission interval, or open flows are counted as new again
     */
    public FlowDeltaFunction(long windowSizeMs, long idleTimeoutMs, OutputTag<FlowLog> lateTag) {
        if (windowSizeMs <= 0 || idleTimeoutMs <= 0) {
            throw new IllegalArgumentException(
                    "windowSizeMs and idleTimeoutMs must be positive: " + windowSizeMs + ", " + idleTimeoutMs);
        }
        this.windowSizeMs = windowSizeMs;
        this.idleTimeoutMs = idleTimeoutMs;
        this.lateTag = Objects.requireNonNull(lateTag, "lateTag");
    }

    @Override
    public void open(OpenContext openContext) {
        progressState = getRuntimeContext().getState(
                new ValueStateDescriptor<>("flow-progress", TypeInformation.of(FlowProgress.class)));
        lateFlowLogs = getRuntimeContext().getMetricGroup().counter(LATE_COUNTER);
    }

    @Override
    public void processElement(FlowLog flow, Context ctx, Collector<NetContribution> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        long emittedUs = flow.getEndTimeUs();
        if (hasFired(emittedUs, watermark)) {
            ctx.output(lateTag, flow);
            lateFlowLogs.inc();
            if (flow.getIsFinal()) {
                forget(ctx);
            }
            return;
        }
        FlowProgress last = progressState.value();
        if (last != null && flow.getSequence() <= last.sequence) {
            return;
        }
        boolean firstSeen = last == null;
        if (firstSeen) {
            last = new FlowProgress();
            last.sequence = -1;
        }
        NetKey key = NetKey.of(flow);

        if (firstSeen) {
            NetStats newFlow = new NetStats();
            newFlow.newFlows = 1;
            emit(out, key, openTimeUs(flow.getStartTimeUs(), emittedUs, watermark), newFlow);
        }
        Long connectLatency = flow.getConnectLatencyUs();
        if (!last.connectLatencyCounted && connectLatency != null) {
            NetStats connect = new NetStats();
            connect.addConnectLatency(Math.max(0L, connectLatency));
            emit(out, key, openTimeUs(flow.getStartTimeUs() + connectLatency, emittedUs, watermark), connect);
            last.connectLatencyCounted = true;
        }
        emit(out, key, emittedUs, changesSince(last, flow));

        if (flow.getIsFinal()) {
            forget(ctx);
        } else {
            remember(ctx, last, flow);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<NetContribution> out) throws Exception {
        FlowProgress progress = progressState.value();
        if (progress != null && progress.idleTimerMs == timestamp) {
            progressState.clear();
        }
    }

    private static NetStats changesSince(FlowProgress last, FlowLog flow) {
        NetStats delta = new NetStats();
        delta.bytesClientToServer = increase(last.bytesClientToServer, flow.getBytesClientToServer());
        delta.bytesServerToClient = increase(last.bytesServerToClient, flow.getBytesServerToClient());
        delta.retransmits = increase(last.retransmits, flow.getRetransmits());
        delta.resets = increase(last.resets, flow.getResets());
        Long srtt = flow.getSrttUs();
        if (srtt != null && !srtt.equals(last.srttUs)) {
            delta.addSrtt(Math.max(0L, srtt));
        }
        if (flow.getIsFinal()) {
            delta.closedFlows = 1;
            if (flow.getCloseType() == CloseType.CONNECT_FAILED) {
                delta.connectFailures = 1;
            } else if (flow.getCloseType() == CloseType.TIMEOUT) {
                delta.timeouts = 1;
            }
        }
        return delta;
    }

    private void remember(Context ctx, FlowProgress progress, FlowLog flow) throws Exception {
        progress.sequence = flow.getSequence();
        // a base never goes down, so a counter that dips does not count its recovery twice
        progress.bytesClientToServer = Math.max(progress.bytesClientToServer, flow.getBytesClientToServer());
        progress.bytesServerToClient = Math.max(progress.bytesServerToClient, flow.getBytesServerToClient());
        progress.retransmits = Math.max(progress.retransmits, flow.getRetransmits());
        progress.resets = Math.max(progress.resets, flow.getResets());
        if (flow.getSrttUs() != null) {
            progress.srttUs = flow.getSrttUs();
        }
        long idleTimer = Math.floorDiv(flow.getEndTimeUs(), 1000L) + idleTimeoutMs;
        if (progress.idleTimerMs != idleTimer) {
            if (progress.idleTimerMs != 0) {
                ctx.timerService().deleteEventTimeTimer(progress.idleTimerMs);
            }
            ctx.timerService().registerEventTimeTimer(idleTimer);
            progress.idleTimerMs = idleTimer;
        }
        progressState.update(progress);
    }

    private void forget(Context ctx) throws Exception {
        FlowProgress progress = progressState.value();
        if (progress != null) {
            ctx.timerService().deleteEventTimeTimer(progress.idleTimerMs);
            progressState.clear();
        }
    }

    private static void emit(Collector<NetContribution> out, NetKey key, long eventTimeUs, NetStats delta) {
        if (!delta.isEmpty()) {
            out.collect(new NetContribution(key, eventTimeUs, delta));
        }
    }

    private static long increase(long before, long now) {
        return Math.max(0L, now - before);
    }

    /** {@code candidateUs} when its window is still open, else the emission's time (whose window is open). */
    private long openTimeUs(long candidateUs, long emittedUs, long watermark) {
        return hasFired(candidateUs, watermark) ? emittedUs : candidateUs;
    }

    private boolean hasFired(long timeUs, long watermark) {
        long windowStart = TumblingWindowAggregator.windowStart(Math.floorDiv(timeUs, 1000L), windowSizeMs);
        return windowStart + windowSizeMs - 1 <= watermark;
    }
}
