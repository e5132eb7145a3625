package io.tapflow.trace.assembly;

import io.tapflow.flink.serde.AvroSpecificTypeInfo;
import io.tapflow.schema.RequestLog;
import io.tapflow.trace.component.Membership;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Stage 3 of trace assembly, keyed by log id: holds each request log until the component tracker says which trace
 * emission it belongs to, then sends it, as a {@link MemberSpan}, to that trace's builder. The log stays here after
 * its first emission — a late span may re-open its trace and every member is sent again — until the tracker
 * releases it.
 *
 * <p>A membership can overtake its log (they come by different channels). It waits, with an event-time timer at its
 * own timestamp: the log was sent before the watermark that fired the tracker, so once this function's watermark
 * passes that instant a log that has not come never will (it was released and is now referenced by a later edge),
 * and the membership is dropped and counted ({@value #ORPHANS_COUNTER}); the builder then emits what it has.
 */
public final class SpanCollector extends KeyedCoProcessFunction<String, RequestLog, Membership, MemberSpan> {

    private static final long serialVersionUID = 1L;

    public static final String ORPHANS_COUNTER = "membershipsWithoutLog";

    private transient ValueState<RequestLog> log;
    private transient ValueState<Boolean> emitted;
    private transient ValueState<Membership> waiting;
    private transient ValueState<Long> waitingUntil;
    private transient Counter orphans;

    @Override
    public void open(OpenContext openContext) {
        log = getRuntimeContext().getState(
                new ValueStateDescriptor<>("log", AvroSpecificTypeInfo.forRecord(RequestLog.class)));
        emitted = getRuntimeContext().getState(new ValueStateDescriptor<>("emitted", Types.BOOLEAN));
        waiting = getRuntimeContext().getState(
                new ValueStateDescriptor<>("waiting-membership", TypeInformation.of(Membership.class)));
        waitingUntil = getRuntimeContext().getState(new ValueStateDescriptor<>("waiting-until", Types.LONG));
        orphans = getRuntimeContext().getMetricGroup().counter(ORPHANS_COUNTER);
    }

    @Override
    public void processElement1(RequestLog value, Context ctx, Collector<MemberSpan> out) throws Exception {
        if (log.value() != null) {
            return; // a replayed duplicate of a log already held
        }
        log.update(value);
        Membership m = waiting.value();
        if (m != null) {
            stopWaiting(ctx);
            forward(value, m, out);
        }
    }

    @Override
    public void processElement2(Membership m, Context ctx, Collector<MemberSpan> out) throws Exception {
        if (m.release) {
            stopWaiting(ctx);
            log.clear();
            emitted.clear();
            return;
        }
        RequestLog held = log.value();
        if (held == null) {
            long at = ctx.timestamp() == null ? ctx.timerService().currentWatermark() : ctx.timestamp();
            waiting.update(m);
            waitingUntil.update(at);
            ctx.timerService().registerEventTimeTimer(at);
            return;
        }
        forward(held, m, out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<MemberSpan> out) throws Exception {
        if (waiting.value() != null) {
            waiting.clear();
            waitingUntil.clear();
            orphans.inc();
        }
    }

    private void forward(RequestLog held, Membership m, Collector<MemberSpan> out) throws Exception {
        boolean first = emitted.value() == null;
        emitted.update(true);
        out.collect(new MemberSpan(m.traceKey, m.updateSeq, m.memberCount, m.completionPassed, first, held));
    }

    private void stopWaiting(Context ctx) throws Exception {
        Long at = waitingUntil.value();
        if (at != null) {
            ctx.timerService().deleteEventTimeTimer(at);
        }
        waiting.clear();
        waitingUntil.clear();
    }
}
