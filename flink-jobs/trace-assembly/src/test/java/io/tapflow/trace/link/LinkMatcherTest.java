package io.tapflow.trace.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.schema.RequestLog;
import io.tapflow.trace.TraceAssemblyTestBase;
import io.tapflow.trace.component.SpanEdge;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/**
 * The keyed matching stage on whole 3-hop chains (client → gateway → A → Redis, A → B; host B's clock skewed): the
 * probes {@link LinkKeyRouter} makes of every log, fed in log order. Its edges join each chain's logs into one
 * component and never join two chains; every key's state and timer are gone once the link window has passed; a
 * snapshot taken half-way restores to the same edges.
 */
class LinkMatcherTest extends TraceAssemblyTestBase {

    private static final long WINDOW_MS = 10_000;
    private static final LinkRules RULES = LinkRules.defaults(Duration.ofMillis(20), true);

    private static KeyedOneInputStreamOperatorTestHarness<String, LinkProbe, SpanEdge> harness() throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new LinkMatcher(RULES, WINDOW_MS, 100)), LinkProbe::key, Types.STRING);
        h.open();
        return h;
    }

    /** Two chains at the same time whose connections reuse nothing but could collide on keys if rules were lax. */
    private static List<LinkProbe> probes(List<RequestLog> logs) {
        List<LinkProbe> probes = new ArrayList<>();
        LinkKeyRouter router = new LinkKeyRouter(RULES);
        Collector<LinkProbe> out = new Collector<>() {
            @Override
            public void collect(LinkProbe probe) {
                probes.add(probe);
            }

            @Override
            public void close() {
            }
        };
        logs.stream().sorted(RequestLogs.BY_START).forEach(log -> router.flatMap(log, out));
        return probes;
    }

    private static List<RequestLog> twoChains() {
        Random rnd = new Random(7);
        List<RequestLog> logs = new ArrayList<>(chain(1, T0_US, 3_000, rnd, null, null).logs());
        logs.addAll(chain(2, T0_US + 200, 3_000, rnd, null, null).logs());
        return logs;
    }

    private static void feed(KeyedOneInputStreamOperatorTestHarness<String, LinkProbe, SpanEdge> h,
            List<LinkProbe> probes) throws Exception {
        for (LinkProbe p : probes) {
            h.processElement(new StreamRecord<>(p, Math.floorDiv(p.log().getStartTimeUs(), 1000L)));
        }
    }

    @Test
    void edgesJoinEachChainIntoOneComponentAndNeverTwoChains() throws Exception {
        List<RequestLog> logs = twoChains();
        try (var h = harness()) {
            feed(h, probes(logs));
            List<SpanEdge> edges = h.extractOutputValues();
            Map<String, String> component = components(logs, edges);
            for (int chain = 1; chain <= 2; chain++) {
                Set<String> roots = new HashSet<>();
                for (RequestLog log : logs) {
                    if (log.getLogId().startsWith(String.format("%016x", chain))) {
                        roots.add(component.get(log.getLogId()));
                    }
                }
                assertThat(roots).as("components of chain %d's logs (edges: %s)", chain, describe(edges)).hasSize(1);
            }
            assertThat(component.get(logId(1, 0))).as("the two chains stay apart")
                    .isNotEqualTo(component.get(logId(2, 0)));
        }
    }

    @Test
    void everyKeyIsClearedOnceTheLinkWindowHasPassed() throws Exception {
        List<RequestLog> logs = twoChains();
        long lastEndMs = logs.stream().mapToLong(l -> Math.floorDiv(l.getEndTimeUs(), 1000L)).max().orElseThrow();
        try (var h = harness()) {
            feed(h, probes(logs));
            assertThat(h.numKeyedStateEntries()).isPositive();
            h.processWatermark(new Watermark(lastEndMs + WINDOW_MS - 1));
            assertThat(h.numKeyedStateEntries()).as("before the window ends").isPositive();
            h.processWatermark(new Watermark(lastEndMs + WINDOW_MS));
            assertThat(h.numKeyedStateEntries()).as("keyed state entries after the window").isZero();
            assertThat(h.numEventTimeTimers()).as("timers after the window").isZero();
        }
    }

    @Test
    void aSnapshotTakenHalfWayRestoresToTheSameEdges() throws Exception {
        List<LinkProbe> probes = probes(twoChains());
        List<SpanEdge> uninterrupted;
        try (var h = harness()) {
            feed(h, probes);
            uninterrupted = h.extractOutputValues();
        }
        int half = probes.size() / 2;
        List<SpanEdge> resumed = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            feed(h, probes.subList(0, half));
            resumed.addAll(h.extractOutputValues());
            snapshot = h.snapshot(1, 1);
        }
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new LinkMatcher(RULES, WINDOW_MS, 100)), LinkProbe::key, Types.STRING)) {
            h.initializeState(snapshot);
            h.open();
            feed(h, probes.subList(half, probes.size()));
            resumed.addAll(h.extractOutputValues());
        }
        assertThat(describe(resumed)).isEqualTo(describe(uninterrupted)).isNotEmpty();
    }

    /** Union-find over the edges: log id → the id representing its component. */
    private static Map<String, String> components(List<RequestLog> logs, List<SpanEdge> edges) {
        Map<String, String> parent = new HashMap<>();
        logs.forEach(l -> parent.put(l.getLogId(), l.getLogId()));
        for (SpanEdge e : edges) {
            parent.put(find(parent, e.a), find(parent, e.b));
        }
        Map<String, String> out = new HashMap<>();
        parent.keySet().forEach(id -> out.put(id, find(parent, id)));
        return out;
    }

    private static String find(Map<String, String> parent, String id) {
        String p = parent.get(id);
        return p.equals(id) ? id : find(parent, p);
    }

    private static List<String> describe(List<SpanEdge> edges) {
        return edges.stream().map(e -> e.a + "~" + e.b).toList();
    }
}
