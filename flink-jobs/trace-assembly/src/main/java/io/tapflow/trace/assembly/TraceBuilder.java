package io.tapflow.trace.assembly;

import io.tapflow.flink.serde.JavaSerializedTypeInfo;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.Trace;
import io.tapflow.trace.servicemap.EdgeSample;
import io.tapflow.trace.servicemap.EdgeSamples;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
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
import org.apache.flink.util.OutputTag;

/**
 * Stage 4 of trace assembly, keyed by trace key: gathers the {@link MemberSpan}s of one trace emission and, when all
 * {@code memberCount} are in, emits the {@link Trace} ({@link TraceAssembler}) and its service-map samples on
 * {@link #EDGE_SAMPLES}.
 *
 * <p>State lives only while an emission is being gathered: the members so far and the emission's seq. All members
 * of one emission leave the tracker at one event time {@code t}, so a timer at {@code t + 1} fires only after every
 * one of them has arrived through the span holders; if it fires first, some member's log was lost (released or
 * evicted before a late edge referenced it) and the trace is emitted with what is there
 * ({@value #SHORT_COUNTER}). A member of an older emission than the one gathered is dropped
 * ({@value #STALE_COUNTER}).
 */
public final class TraceBuilder extends KeyedProcessFunction<String, MemberSpan, Trace> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<EdgeSample> EDGE_SAMPLES =
            new OutputTag<>("edge-samples", TypeInformation.of(EdgeSample.class));

    public static final String SHORT_COUNTER = "tracesEmittedShort";
    public static final String STALE_COUNTER = "staleMembers";

    private final TraceAssembler assembler;

    private transient MapState<String, MemberSpan> members;
    private transient ValueState<Gathering> gathering;
    private transient Counter shortEmissions;
    private transient Counter stale;

    /** The emission being gathered. */
    static final class Gathering implements Serializable {
        private static final long serialVersionUID = 1L;
        long updateSeq;
        int expected;
        int received;
        boolean completionPassed;
        long timerMs;
    }

    public TraceBuilder(TraceAssembler assembler) {
        this.assembler = Objects.requireNonNull(assembler, "assembler");
    }

    @Override
    public void open(OpenContext openContext) {
        members = getRuntimeContext().getMapState(new MapStateDescriptor<>("members-by-log", Types.STRING,
                JavaSerializedTypeInfo.forClass(MemberSpan.class)));
        gathering = getRuntimeContext().getState(
                new ValueStateDescriptor<>("gathering", JavaSerializedTypeInfo.forClass(Gathering.class)));
        shortEmissions = getRuntimeContext().getMetricGroup().counter(SHORT_COUNTER);
        stale = getRuntimeContext().getMetricGroup().counter(STALE_COUNTER);
    }

    @Override
    public void processElement(MemberSpan m, Context ctx, Collector<Trace> out) throws Exception {
        Gathering g = gathering.value();
        if (g != null && m.updateSeq() < g.updateSeq) {
            stale.inc();
            return;
        }
        if (g != null && m.updateSeq() > g.updateSeq) {
            // a newer emission of the same trace supersedes the one short of members
            stale.inc();
            finish(g, ctx);
            g = null;
        }
        if (g == null) {
            g = new Gathering();
            g.updateSeq = m.updateSeq();
            g.expected = m.memberCount();
            g.completionPassed = m.completionPassed();
            long t = ctx.timestamp() == null ? ctx.timerService().currentWatermark() : ctx.timestamp();
            g.timerMs = t + 1;
            ctx.timerService().registerEventTimeTimer(g.timerMs);
        }
        if (!members.contains(m.log().getLogId())) {
            members.put(m.log().getLogId(), m);
            g.received++;
        }
        if (g.received >= g.expected) {
            emit(g, out, ctx);
            finish(g, ctx);
        } else {
            gathering.update(g);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Trace> out) throws Exception {
        Gathering g = gathering.value();
        if (g != null && g.timerMs == timestamp) {
            shortEmissions.inc();
            emit(g, out, ctx);
            members.clear();
            gathering.clear();
        }
    }

    private void emit(Gathering g, Collector<Trace> out, Context ctx) throws Exception {
        List<RequestLog> logs = new ArrayList<>();
        Set<String> first = new HashSet<>();
        for (MemberSpan m : members.values()) {
            logs.add(m.log());
            if (m.firstEmission()) {
                first.add(m.log().getLogId());
            }
        }
        TraceAssembler.Assembled assembled = assembler.assemble(logs, g.updateSeq, g.completionPassed);
        out.collect(assembled.trace());
        for (EdgeSample s : EdgeSamples.of(logs, assembled.parentLogs(), first)) {
            ctx.output(EDGE_SAMPLES, s);
        }
    }

    private void finish(Gathering g, Context ctx) throws Exception {
        ctx.timerService().deleteEventTimeTimer(g.timerMs);
        members.clear();
        gathering.clear();
    }
}
