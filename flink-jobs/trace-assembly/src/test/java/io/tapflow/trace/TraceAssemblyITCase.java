package io.tapflow.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.flink.serde.AvroSpecificTypeInfo;
import io.tapflow.schema.LinkRule;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.ServiceMapEdge;
import io.tapflow.schema.Span;
import io.tapflow.schema.Trace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The assembly stages on a MiniCluster at parallelism 2 over bounded sets of request logs shaped like the 3-hop
 * chain (see {@link TraceAssemblyTestBase#chain}): every span lands in the trace of its chain, with the right
 * parents, and no span of another chain.
 */
class TraceAssemblyITCase extends TraceAssemblyTestBase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    private static final AssemblyOptions OPTIONS = AssemblyOptions.defaults().withCompletionTimeout(
            Duration.ofSeconds(2));

    @Test
    void oneChainBecomesOneTraceWithTheChainsParents() throws Exception {
        Chain chain = chain(1, T0_US, 0, new Random(1), null, null);
        Result result = run(chain.logs(), 1);

        assertThat(result.traces).hasSize(1);
        assertChain(result.traces.get(0), chain);
        assertThat(result.traces.get(0).getComplete()).isTrue();
        assertThat(result.traces.get(0).getUpdateSeq()).isZero();
    }

    @Test
    void aTraceparentFromTheClientIsTheTraceIdOfEverySpan() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        Chain chain = chain(2, T0_US, 0, new Random(2), traceId, "00f067aa0ba902b7");
        Result result = run(chain.logs(), 2);

        assertThat(result.traces).hasSize(1);
        Trace trace = result.traces.get(0);
        assertThat(trace.getTraceId()).isEqualTo(traceId);
        assertThat(trace.getSpans()).extracting(Span::getTraceId).containsOnly(traceId);
        Span client = byName(trace, chain).get("client>gateway");
        assertThat(client.getSpanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(byName(trace, chain).get("gateway<client").getLinkRule()).isEqualTo(LinkRule.TRACE_CONTEXT);
        assertChain(trace, chain);
    }

    @Test
    void twoHundredConcurrentChainsWithJitteredClocksEachBecomeTheirOwnTrace() throws Exception {
        Random rnd = new Random(42);
        List<Chain> chains = new ArrayList<>();
        for (int n = 0; n < 200; n++) {
            long start = T0_US + rnd.nextInt(3_000_000);
            long skew = rnd.nextInt(600_001) - 300_000; // host B's clock within ±300 ms of host A's
            Chain chain = chain(1000 + n, start, skew, rnd, null, null);
            chains.add(chain);
        }
        // the same tcp seq on different flows: every chain's A → B request reuses the previous chain's Redis seq
        List<RequestLog> reseqd = new ArrayList<>();
        Map<Integer, Long> redisSeq = new HashMap<>();
        for (int n = 0; n < chains.size(); n++) {
            redisSeq.put(n, chains.get(n).logs().get(4).getReqTcpSeq());
        }
        List<Chain> rewritten = new ArrayList<>();
        for (int n = 0; n < chains.size(); n++) {
            List<RequestLog> logs = new ArrayList<>(chains.get(n).logs());
            if (n > 0) {
                long seq = redisSeq.get(n - 1);
                logs.set(6, RequestLog.newBuilder(logs.get(6)).setReqTcpSeq(seq).build());
                logs.set(7, RequestLog.newBuilder(logs.get(7)).setReqTcpSeq(seq).build());
            }
            rewritten.add(new Chain(logs, chains.get(n).nameByLogId()));
            reseqd.addAll(logs);
        }
        Result result = run(reseqd, 3);

        assertThat(result.traces).hasSize(200);
        Map<String, Chain> chainOfLog = new HashMap<>();
        for (Chain c : rewritten) {
            c.logs().forEach(l -> chainOfLog.put(l.getLogId(), c));
        }
        int complete = 0;
        for (Trace trace : result.traces) {
            Chain c = chainOfLog.get(trace.getSpans().get(0).getLogId());
            assertChain(trace, c);
            complete += trace.getComplete() ? 1 : 0;
        }
        assertThat(complete).isEqualTo(200);
        // each of the 800 calls counted once on the map, from the client side (host B's skew can move a call
        // into the minute before T0)
        Map<String, Long> requestsPerEdge = new HashMap<>();
        for (ServiceMapEdge e : result.edges) {
            assertThat(e.getObservationPoint().name()).isEqualTo("CLIENT_PROCESS");
            requestsPerEdge.merge(e.getClientService() + "->" + e.getServerService(), e.getRequests(), Long::sum);
        }
        assertThat(requestsPerEdge).isEqualTo(Map.of("client->gateway", 200L, "gateway->service-a", 200L,
                "service-a->redis", 200L, "service-a->service-b", 200L));
    }

    private static void assertChain(Trace trace, Chain chain) {
        assertThat(trace.getSpans()).extracting(Span::getLogId)
                .containsExactlyInAnyOrderElementsOf(chain.logs().stream().map(RequestLog::getLogId).toList());
        Map<String, Span> byName = byName(trace, chain);
        Map<String, String> nameOfSpanId = new HashMap<>();
        byName.forEach((name, span) -> nameOfSpanId.put(span.getSpanId(), name));
        Map<String, String> parents = new HashMap<>();
        for (Map.Entry<String, Span> e : byName.entrySet()) {
            String parent = e.getValue().getParentSpanId() == null ? null
                    : nameOfSpanId.get(e.getValue().getParentSpanId());
            if (parent != null) {
                parents.put(e.getKey(), parent);
            }
        }
        assertThat(parents).as("parents in trace %s", trace.getTraceId()).isEqualTo(CHAIN_PARENTS);
        assertThat(trace.getRootService()).isEqualTo("client");
        assertThat(trace.getSpanCount()).isEqualTo(8);
        Set<String> spanIds = new HashSet<>();
        trace.getSpans().forEach(s -> assertThat(spanIds.add(s.getSpanId())).isTrue());
        assertThat(byName.get("client>gateway").getSelfTimeUs()).isEqualTo(800);
    }

    private static Map<String, Span> byName(Trace trace, Chain chain) {
        Map<String, Span> byName = new HashMap<>();
        for (Span s : trace.getSpans()) {
            byName.put(chain.nameByLogId().get(s.getLogId()), s);
        }
        return byName;
    }

    private record Result(List<Trace> traces, List<ServiceMapEdge> edges) {
    }

    /** Runs the stages over {@code logs} arriving in end-time order with up to 1 s of jitter. */
    private static Result run(List<RequestLog> logs, long seed) throws Exception {
        Random rnd = new Random(seed);
        List<RequestLog> arrival = new ArrayList<>(logs);
        Map<String, Long> arrivalKey = new HashMap<>();
        arrival.forEach(l -> arrivalKey.put(l.getLogId(), l.getEndTimeUs() + rnd.nextInt(1_000_000)));
        arrival.sort(Comparator.comparingLong(l -> arrivalKey.get(l.getLogId())));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        DataStream<RequestLog> source = env.fromData(AvroSpecificTypeInfo.forRecord(RequestLog.class), arrival
                .toArray(new RequestLog[0])).setParallelism(1)
                .assignTimestampsAndWatermarks(TraceAssemblyJob.requestLogWatermarks(Duration.ofSeconds(2),
                        Duration.ZERO)).setParallelism(1);
        TraceAssembly.Outputs out = TraceAssembly.build(source, OPTIONS);
        CloseableIterator<Trace> traces = out.traces().collectAsync();
        CloseableIterator<ServiceMapEdge> edges = out.serviceMap().collectAsync();
        env.execute("trace-assembly-it");
        List<Trace> t = new ArrayList<>();
        traces.forEachRemaining(t::add);
        List<ServiceMapEdge> e = new ArrayList<>();
        edges.forEachRemaining(e::add);
        traces.close();
        edges.close();
        return new Result(t, e);
    }
}
