package io.tapflow.trace;

import io.tapflow.flink.serde.AvroSpecificTypeInfo;
import io.tapflow.flink.serde.JavaSerializedTypeInfo;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.ServiceMapEdge;
import io.tapflow.schema.Span;
import io.tapflow.schema.Trace;
import io.tapflow.trace.assembly.MemberSpan;
import io.tapflow.trace.assembly.SpanCollector;
import io.tapflow.trace.assembly.TraceAssembler;
import io.tapflow.trace.assembly.TraceBuilder;
import io.tapflow.trace.component.ComponentTracker;
import io.tapflow.trace.component.Membership;
import io.tapflow.trace.component.SpanEdge;
import io.tapflow.trace.link.LinkKeyRouter;
import io.tapflow.trace.link.LinkMatcher;
import io.tapflow.trace.link.LinkProbe;
import io.tapflow.trace.link.LinkRules;
import io.tapflow.trace.servicemap.EdgeSample;
import io.tapflow.trace.servicemap.ServiceMapWindow;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;

/**
 * The trace-assembly stages, from timestamped request logs to traces, span rows and service-map edges.
 *
 * <pre>
 * logs ─┬─ LinkKeyRouter ─ keyBy(link key) ─ LinkMatcher ──── edges ─┐
 *       ├─ member edge (log, log) ──────────────────────────────────┴─ ComponentTracker (p=1, ids only)
 *       │                                                                       │ memberships
 *       └─ keyBy(log id) ───────────────────── SpanCollector ◄─ keyBy(log id) ──┘
 *                                                  │ member spans
 *                                       keyBy(trace key) ─ TraceBuilder ─ traces ─ spans
 *                                                                 └ edge samples ─ keyBy(edge) ─ ServiceMapWindow
 * </pre>
 *
 * <p>Why this shape: a trace's key is not known from any one log — rules join logs across agents, connections and
 * threads, and a chain of N hops needs N joins — so each rule's link key routes logs to where pairs can be tested
 * (parallel), the resulting id pairs meet in one union-find (the only stage at parallelism 1, and it carries ids,
 * not payloads), and the payloads wait keyed by log id until the tracker names their trace, then meet keyed by it.
 * Event time drives every timer: completion, late-span retention, link expiry, map windows.
 */
public final class TraceAssembly {

    private TraceAssembly() {
    }

    /** The outputs of the stages. */
    public record Outputs(SingleOutputStreamOperator<Trace> traces, DataStream<Span> spans,
            DataStream<ServiceMapEdge> serviceMap) {
    }

    /** @param logs request logs with event-time timestamps and watermarks */
    public static Outputs build(DataStream<RequestLog> logs, AssemblyOptions options) {
        LinkRules rules = LinkRules.defaults(options.clockTolerance(), options.requireSameAddresses());
        long completionMs = options.completionTimeout().toMillis();

        DataStream<SpanEdge> memberEdges = logs
                .map(log -> SpanEdge.member(log.getLogId()), TypeInformation.of(SpanEdge.class))
                .uid("member-edges").name("member edges");
        DataStream<SpanEdge> linkEdges = logs
                .flatMap(new LinkKeyRouter(rules), JavaSerializedTypeInfo.forClass(LinkProbe.class))
                .uid("link-key-router").name("link keys")
                .keyBy(LinkProbe::key, Types.STRING)
                .process(new LinkMatcher(rules, completionMs, options.maxLogsPerKey()),
                        TypeInformation.of(SpanEdge.class))
                .uid("link-matcher").name("link matcher");

        SingleOutputStreamOperator<Membership> memberships = memberEdges.union(linkEdges)
                .keyBy(edge -> ComponentTracker.KEY, Types.INT)
                .process(new ComponentTracker(completionMs, options.lateRetention().toMillis(),
                        options.maxSpansPerTrace(), options.maxSpans()), TypeInformation.of(Membership.class))
                .setParallelism(1).setMaxParallelism(1)
                .uid("component-tracker").name("component tracker");

        SingleOutputStreamOperator<MemberSpan> members = logs
                .keyBy(RequestLog::getLogId, Types.STRING)
                .connect(memberships.keyBy(m -> m.logId, Types.STRING))
                .process(new SpanCollector(), JavaSerializedTypeInfo.forClass(MemberSpan.class))
                .uid("span-collector").name("span collector");

        SingleOutputStreamOperator<Trace> traces = members
                .keyBy(MemberSpan::traceKey, Types.STRING)
                .process(new TraceBuilder(new TraceAssembler(rules)), AvroSpecificTypeInfo.forRecord(Trace.class))
                .uid("trace-builder").name("trace builder");

        DataStream<Span> spans = traces.flatMap(new SpansOf(), AvroSpecificTypeInfo.forRecord(Span.class))
                .uid("trace-spans").name("spans of traces");

        DataStream<ServiceMapEdge> serviceMap = traces.getSideOutput(TraceBuilder.EDGE_SAMPLES)
                .keyBy(EdgeSample::edgeKey, Types.STRING)
                .process(new ServiceMapWindow(options.serviceMapWindow().toMillis(),
                        options.serviceMapLateness().toMillis()), AvroSpecificTypeInfo.forRecord(ServiceMapEdge.class))
                .uid("service-map-1m").name("service map");
        return new Outputs(traces, spans, serviceMap);
    }

    /** The span rows of a trace emission (each already carries the emission's update seq). */
    static final class SpansOf implements FlatMapFunction<Trace, Span> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(Trace trace, Collector<Span> out) {
            for (Span span : trace.getSpans()) {
                out.collect(span);
            }
        }
    }
}
