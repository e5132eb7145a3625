package io.tapflow.trace.link;

import io.tapflow.flink.serde.AvroSpecificTypeInfo;
import io.tapflow.schema.RequestLog;
import io.tapflow.trace.component.SpanEdge;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Stage 1 of trace assembly, keyed by link key: the logs that offered one key meet here, each new one is tested
 * against those already present with the key's rule, and every accepted pair leaves as a {@link SpanEdge}.
 *
 * <p>State: the logs of the key (trimmed by {@link LinkKeyRouter}) by log id. A log stays for the link window after
 * its end in event time — a partner arriving later than that would also miss its trace's completion — and an
 * event-time timer at that instant removes it, so a key whose logs have expired holds nothing. A key is bounded to
 * {@code maxLogsPerKey} logs: beyond that the earliest is dropped and counted ({@value #EVICTED_COUNTER}); its
 * edges already made stay, it only stops matching newcomers (a hot key is almost always a placeholder value).
 */
public final class LinkMatcher extends KeyedProcessFunction<String, LinkProbe, SpanEdge> {

    private static final long serialVersionUID = 1L;

    public static final String EVICTED_COUNTER = "linkCandidatesEvicted";
    public static final String EDGES_COUNTER = "linkEdges";

    private final LinkRules rules;
    private final long linkWindowMs;
    private final int maxLogsPerKey;

    private transient MapState<String, RequestLog> logs;
    private transient Counter evicted;
    private transient Counter edges;

    public LinkMatcher(LinkRules rules, long linkWindowMs, int maxLogsPerKey) {
        if (linkWindowMs < 0 || maxLogsPerKey < 1) {
            throw new IllegalArgumentException("linkWindowMs >= 0 and maxLogsPerKey >= 1 required");
        }
        this.rules = Objects.requireNonNull(rules, "rules");
        this.linkWindowMs = linkWindowMs;
        this.maxLogsPerKey = maxLogsPerKey;
    }

    @Override
    public void open(OpenContext openContext) {
        logs = getRuntimeContext().getMapState(new MapStateDescriptor<>("logs-by-id", Types.STRING,
                AvroSpecificTypeInfo.forRecord(RequestLog.class)));
        evicted = getRuntimeContext().getMetricGroup().counter(EVICTED_COUNTER);
        edges = getRuntimeContext().getMetricGroup().counter(EDGES_COUNTER);
    }

    @Override
    public void processElement(LinkProbe probe, Context ctx, Collector<SpanEdge> out) throws Exception {
        RequestLog log = probe.log();
        if (logs.contains(log.getLogId())) {
            return; // a replayed duplicate: its edges were made the first time
        }
        SpanLinkRule rule = rules.get(probe.ruleIndex());
        List<RequestLog> present = new ArrayList<>();
        for (RequestLog other : logs.values()) {
            present.add(other);
        }
        // in log order, so the edges of a replay leave in the same order
        present.sort(RequestLogs.BY_START);
        for (RequestLog other : present) {
            if (rule.links(other, log)) {
                out.collect(new SpanEdge(other.getLogId(), log.getLogId()));
                edges.inc();
            }
        }
        if (present.size() >= maxLogsPerKey) {
            logs.remove(present.get(0).getLogId());
            evicted.inc();
        }
        logs.put(log.getLogId(), log);
        ctx.timerService().registerEventTimeTimer(expiryMs(log));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SpanEdge> out) throws Exception {
        Iterator<Map.Entry<String, RequestLog>> it = logs.iterator();
        while (it.hasNext()) {
            if (expiryMs(it.next().getValue()) <= timestamp) {
                it.remove();
            }
        }
        if (logs.isEmpty()) {
            // removing every entry leaves an empty map under the key in the heap backend: a key per past request
            logs.clear();
        }
    }

    private long expiryMs(RequestLog log) {
        return Math.floorDiv(log.getEndTimeUs(), 1000L) + linkWindowMs;
    }
}
