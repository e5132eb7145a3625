package io.tapflow.flowagg;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.flowagg.chain.ChainClientMain;
import io.tapflow.flowagg.chain.ChainServiceMain;
import io.tapflow.flowagg.chain.ChainTraceCheck;
import io.tapflow.flowagg.chain.ChildProcess;
import io.tapflow.flowagg.chain.HostCollector;
import io.tapflow.flowagg.chain.ShadedJobRunner;
import io.tapflow.flowagg.chain.TwoHosts;
import io.tapflow.flowagg.config.FlowAggregationOptions;
import io.tapflow.localstack.flink.JobSubmitter;
import io.tapflow.schema.IpFamily;
import io.tapflow.schema.L4Protocol;
import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.ResponseStatus;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.Span;
import io.tapflow.schema.Trace;
import io.tapflow.schema.topic.Topic;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue #6's end-to-end acceptance on real captured traffic: a synchronous 3-hop chain — client → gateway → service
 * A → Redis, and A → service B over HTTP — each service its own process, on two hosts, captured by the real eBPF
 * collector, through the real pipeline: raw topics → flow-aggregation (MiniCluster) → tapflow.l7.request-log →
 * trace-assembly (its shaded jar, as {@code flink run} would run it) → ClickHouse spans/traces and Kafka
 * tapflow.traces. 200 requests from 8 client threads, every second one with a W3C traceparent that the services
 * forward unchanged (header propagation without instrumentation). Each request must become one trace holding
 * exactly its eight spans with the right parents, for at least 99 % of the requests; a request's traceparent trace
 * id must be the trace's.
 *
 * <p>Why this is two hosts: host 1 (client, gateway) and host 2 (service A, service B, redis-server) are network
 * namespaces of their own, joined by a veth link, so the gateway → A hop crosses a wire between two addresses, and
 * each host has its own collector — its own BPF object and maps ({@link HostCollector}), its own agent id, capturing
 * only the processes started in its host (pid allow-list). Their thread trace ids, socket ids and state are
 * independent, so the cross-host hop can only be joined by what joins real hosts: equal tcp_seq at both ends within
 * the clock tolerance (or the propagated context). The test checks the isolation (every event's netns is its
 * host's). What it does not model: the two agents share one clock (real hosts differ by their NTP skew, which
 * TcpSeqRuleTest covers).
 *
 * <p>Needs root (eBPF, namespaces), redis-server, and trace-assembly's shaded jar (the reactor builds it before this
 * module). Run time ≈ 1–2 min.
 */
class ChainTracesITCase {

    private static final int REQUESTS = 200;
    private static final int CLIENT_THREADS = 8;
    private static final String AGENT_1 = "chain-host1";
    private static final String AGENT_2 = "chain-host2";
    private static final String CLOCK_AGENT = "it-clock";
    private static final Duration WAIT = Duration.ofSeconds(120);

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(() -> new MiniClusterResourceConfiguration
            .Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
            .setConfiguration(ShadedJobRunner.classLoading()).build());

    @RegisterExtension
    static final JobFixture fixture = JobFixture.forDatabase("chain_traces_it");

    /** What one run of the chain left: the collectors' events and, per request, what the client sent and got. */
    private record Run(List<SpecificRecordBase> events, Map<Integer, ChainTraceCheck.Sent> sent) {
    }

    @Test
    void everyRequestOfAThreeHopChainOnTwoHostsIsOneCompleteTrace(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        long t0 = System.nanoTime();
        Path traceJar = JobSubmitter.findShadedJar(JobFixture.repositoryRoot(), JobSubmitter.Job.TRACE_ASSEMBLY);
        Run run = runChain();
        assertThat(run.sent()).as("requests the client made").hasSize(REQUESTS);
        long captured = System.nanoTime();

        List<SpecificRecordBase> events = new ArrayList<>(run.events());
        events.sort(Comparator.comparingLong(GoldenTraffic::timestampNs));
        fixture.publish(events);
        FlowAggregationOptions flowOptions = fixture.options(Map.of());
        fixture.startJob(flowOptions, new FlowAggregationJob.KafkaClickHouseIo(flowOptions, true),
                "flow-aggregation-chain-it").getJobExecutionResult().get(180, TimeUnit.SECONDS);
        long logs = fixture.scalar("SELECT count() FROM " + fixture.table("l7_request_log") + " FINAL");
        long maxEndUs = fixture.scalar("SELECT max(end_time_us) FROM " + fixture.table("l7_request_log"));
        long flowDone = System.nanoTime();

        JobID traceJob = ShadedJobRunner.submit(cluster, traceJar, traceOptions(), 2);
        try {
            // every timer of the job is in event time: a last log far past the capture lets every trace complete
            fixture.publish(Topic.L7_REQUEST_LOG, "clock", clockLog(maxEndUs + Duration.ofMinutes(15).toNanos()
                    / 1000));
            String spanLogs = "SELECT uniqExact(log_id) FROM " + fixture.table("spans") + " WHERE agent_id != '"
                    + CLOCK_AGENT + "'";
            JobFixture.await(logs + " request logs as spans in ClickHouse", WAIT, () -> fixture.scalar(spanLogs)
                    == logs);
            Thread.sleep(2_000); // a re-emission would follow its first emission within the flush interval
            long traced = System.nanoTime();

            List<ChainTraceCheck.SpanRow> spanRows = spanRows();
            Map<String, Boolean> complete = traceCompleteness();
            ChainTraceCheck.Result result = ChainTraceCheck.check(run.sent(), Map.of("host1", AGENT_1, "host2",
                    AGENT_2), logRows(), spanRows, complete);
            System.out.printf("chain traces: %d raw events, %d request logs, %d spans in %d traces%n%s", events.size(),
                    logs, spanRows.size(), complete.size(), result.summary());
            result.reasons().entrySet().stream().filter(e -> !e.getValue().isEmpty()).limit(2)
                    .forEach(e -> explain(e.getKey(), result.logIds().getOrDefault(e.getKey(), List.of())));
            System.out.printf("times: capture %d s, flow-aggregation %d s, trace-assembly %d s%n",
                    (captured - t0) / 1_000_000_000, (flowDone - captured) / 1_000_000_000,
                    (traced - flowDone) / 1_000_000_000);

            assertThat(result.complete()).as("complete traces of %d requests:%n%s", REQUESTS, result.summary())
                    .isGreaterThanOrEqualTo((long) Math.ceil(REQUESTS * 0.99));
            assertThat(result.withTraceparent()).as("requests with a traceparent").isEqualTo(REQUESTS / 2);
            assertThat(result.completeWithTraceparent()).as("complete traces of requests with a traceparent (their"
                    + " trace id kept):%n%s", result.summary())
                    .isGreaterThanOrEqualTo((int) Math.ceil(result.withTraceparent() * 0.99));
            assertThat(result.spansOfNoRequest()).as("spans whose request log is of no request of the chain (the"
                    + " collectors captured only the chain's processes)").isEmpty();
            assertKafkaAgrees(spanRows);
        } finally {
            ShadedJobRunner.cancel(cluster, traceJob, Duration.ofSeconds(30));
        }
    }

    /** The request logs flow-aggregation wrote, as users read them (FINAL). */
    private static List<ChainTraceCheck.LogRow> logRows() {
        return fixture.lines("SELECT log_id, agent_id, observation_point, l7_protocol, request_resource FROM "
                + fixture.table("l7_request_log") + " FINAL").stream()
                .map(l -> l.split("\t", -1))
                .map(f -> new ChainTraceCheck.LogRow(f[0], f[1], f[2], f[3], f[4])).toList();
    }

    /** The spans trace-assembly wrote (FINAL: the latest emission of each), the clock's aside. */
    private static List<ChainTraceCheck.SpanRow> spanRows() {
        return fixture.lines("SELECT trace_id, span_id, ifNull(parent_span_id, ''), log_id FROM "
                + fixture.table("spans") + " FINAL WHERE agent_id != '" + CLOCK_AGENT + "'").stream()
                .map(l -> l.split("\t", -1))
                .map(f -> new ChainTraceCheck.SpanRow(f[0], f[1], f[2].isEmpty() ? null : f[2], f[3])).toList();
    }

    /** Per trace id in the traces table (FINAL), whether the job marked it complete. */
    private static Map<String, Boolean> traceCompleteness() {
        Map<String, Boolean> complete = new HashMap<>();
        fixture.lines("SELECT trace_id, complete FROM " + fixture.table("traces") + " FINAL").forEach(l -> {
            String[] f = l.split("\t");
            complete.put(f[0], f[1].equals("1"));
        });
        return complete;
    }

    /** Prints what the job was given and made of the request logs of an incomplete request. */
    private static void explain(int request, List<String> logIds) {
        if (logIds.isEmpty()) {
            System.out.printf("request %d: no request log%n", request);
            return;
        }
        String ids = "('" + String.join("','", logIds) + "')";
        System.out.printf("request %d — log_id agent point resource start end client server req_seq resp_seq"
                + " sys_req sys_resp status code | trace_id span_id parent_span_id link_rule:%n", request);
        fixture.lines("SELECT log_id, agent_id, observation_point, request_resource, start_time_us, end_time_us,"
                + " concat(client_ip, ':', toString(client_port), '/', toString(ifNull(client_pid, 0))),"
                + " concat(server_ip, ':', toString(server_port), '/', toString(ifNull(server_pid, 0))),"
                + " req_tcp_seq, resp_tcp_seq, syscall_trace_id_request, syscall_trace_id_response, response_status,"
                + " response_code, s_trace, s_span, s_parent, s_rule FROM " + fixture.table("l7_request_log")
                + " FINAL ANY LEFT JOIN (SELECT log_id, trace_id AS s_trace, span_id AS s_span, parent_span_id AS"
                + " s_parent, link_rule AS s_rule FROM " + fixture.table("spans") + " FINAL) USING log_id"
                + " WHERE log_id IN " + ids + " ORDER BY start_time_us").forEach(l -> System.out.println("  " + l));
    }

    /** The two hosts, their processes and collectors; 200 requests; everything stopped before it returns. */
    private static Run runChain() throws Exception {
        try (TwoHosts hosts = TwoHosts.create();
             HostCollector host1 = HostCollector.open(AGENT_1);
             HostCollector host2 = HostCollector.open(AGENT_2);
             ChildProcess redis = ChildProcess.start("redis", hosts.two.run(List.of("redis-server", "--port", "6379",
                     "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")));
             ChildProcess serviceB = ChildProcess.start("service-b", hosts.two.run(ChildProcess.java(
                     ChainServiceMain.class, "service-b", "9100")));
             ChildProcess serviceA = ChildProcess.start("service-a", hosts.two.run(ChildProcess.java(
                     ChainServiceMain.class, "service-a", "9000", "6379", "http://127.0.0.1:9100")));
             ChildProcess gateway = ChildProcess.start("gateway", hosts.one.run(ChildProcess.java(
                     ChainServiceMain.class, "gateway", "8080", "http://" + hosts.two.ip() + ":9000")));
             ChildProcess client = ChildProcess.start("client", hosts.one.run(ChildProcess.java(
                     ChainClientMain.class, "http://127.0.0.1:8080", String.valueOf(REQUESTS),
                     String.valueOf(CLIENT_THREADS))))) {
            redis.awaitLine(l -> l.contains("Ready to accept connections"), Duration.ofSeconds(30));
            for (ChildProcess service : List.of(serviceB, serviceA, gateway)) {
                service.awaitLine(l -> l.startsWith("listening "), Duration.ofSeconds(60));
            }
            Set<Integer> pids1 = Set.of(client.pid(), gateway.pid());
            Set<Integer> pids2 = Set.of(serviceA.pid(), serviceB.pid(), redis.pid());
            host1.capture(pids1);
            host2.capture(pids2);
            client.writeLine("go");
            List<String> answers = client.awaitExit(WAIT);
            Thread.sleep(1_000); // the last calls' events reach the rings; the collectors drain them on stop
            List<SpecificRecordBase> events = new ArrayList<>(host1.stop());
            List<SpecificRecordBase> events2 = host2.stop();
            System.out.printf("captured %d events on %s, %d on %s; kernel drops %d, %d%n", events.size(), AGENT_1,
                    events2.size(), AGENT_2, host1.kernelDrops(), host2.kernelDrops());
            assertIsolated(events, AGENT_1, pids1, hosts.one.netnsInode());
            assertIsolated(events2, AGENT_2, pids2, hosts.two.netnsInode());
            events.addAll(events2);

            Map<Integer, ChainTraceCheck.Sent> sent = new TreeMap<>();
            for (String line : answers) {
                String[] f = line.trim().split(" ");
                sent.put(Integer.parseInt(f[0]), new ChainTraceCheck.Sent(Integer.parseInt(f[1]),
                        f[2].equals("-") ? null : f[2]));
            }
            return new Run(events, sent);
        }
    }

    /** Each host's collector saw only the processes of that host, in that host's network namespace. */
    private static void assertIsolated(List<SpecificRecordBase> events, String agent, Set<Integer> pids,
            long netns) {
        List<SocketDataEvent> data = events.stream().filter(SocketDataEvent.class::isInstance)
                .map(SocketDataEvent.class::cast).toList();
        assertThat(data).as("socket data events of %s", agent).isNotEmpty();
        assertThat(data).as("events of %s", agent).allSatisfy(e -> {
            assertThat(e.getAgentId()).isEqualTo(agent);
            assertThat(pids).contains(e.getPid());
            assertThat(e.getNetnsInode()).isEqualTo(netns);
        });
    }

    private static Map<String, String> traceOptions() {
        Map<String, String> options = new HashMap<>(Map.of(
                "kafka.bootstrap-servers", fixture.broker.bootstrapServers(),
                "schema-registry.url", fixture.registry.url(),
                "clickhouse.url", fixture.clickhouse.httpUrl(),
                "clickhouse.database", fixture.database,
                "checkpoint.interval", "1s",
                "kafka.group-id", "chain-traces-it",
                "kafka.transactional-id-prefix", "chain-traces-it"));
        // the request-log topic holds a whole capture replayed in one burst, in the order flow-aggregation's two
        // subtasks wrote it, not in event time: the watermark must wait for the capture's whole span
        options.put("watermark.out-of-orderness", "5m");
        // one partition, two source subtasks: the one without a split must not hold the watermark back
        options.put("watermark.idleness", "2s");
        return options;
    }

    /** A request log of no request, past every timer of the job: the event-time clock of a finished capture. */
    private static RequestLog clockLog(long endUs) {
        return RequestLog.newBuilder().setLogId("00000000000000000000000000c10c00").setFlowId("clock")
                .setAgentId(CLOCK_AGENT).setStartTimeUs(endUs).setEndTimeUs(endUs)
                .setObservationPoint(ObservationPoint.CLIENT_PROCESS).setIpFamily(IpFamily.IPV4)
                .setL4Protocol(L4Protocol.TCP).setClientIp("127.0.0.1").setClientPort(1).setServerIp("127.0.0.1")
                .setServerPort(2).setL7Protocol(L7Protocol.HTTP1).setResponseStatus(ResponseStatus.UNKNOWN)
                .setSyscallTraceIdRequest(0).setSyscallTraceIdResponse(0).setAttributes(new HashMap<>()).build();
    }

    /**
     * tapflow.traces (exactly-once, read_committed) tells the same story as ClickHouse: the latest emission of each
     * trace holds the same spans under the same trace ids.
     */
    private static void assertKafkaAgrees(List<ChainTraceCheck.SpanRow> clickHouse) throws InterruptedException {
        Map<String, String> expected = new TreeMap<>();
        clickHouse.forEach(s -> expected.put(s.logId(), s.traceId() + "/" + s.spanId() + "/" + s.parentSpanId()));
        Map<String, String> onKafka = new TreeMap<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!onKafka.equals(expected) && System.nanoTime() < deadline) {
            Map<String, Trace> latest = new HashMap<>();
            for (Trace t : fixture.committed(Topic.TRACES, Trace.class)) {
                latest.merge(t.getTraceId(), t, (a, b) -> a.getUpdateSeq() >= b.getUpdateSeq() ? a : b);
            }
            onKafka.clear();
            for (Trace t : latest.values()) {
                for (Span s : t.getSpans()) {
                    if (!s.getAgentId().equals(CLOCK_AGENT)) {
                        onKafka.put(s.getLogId(), s.getTraceId() + "/" + s.getSpanId() + "/" + s.getParentSpanId());
                    }
                }
            }
        }
        assertThat(onKafka).as("spans on tapflow.traces (latest emission per trace) versus ClickHouse spans FINAL")
                .isEqualTo(expected);
    }
}
