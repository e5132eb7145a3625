package io.tapflow.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.collector.pcap.ReplayOptions;
import io.tapflow.collector.proc.ProcReader;
import io.tapflow.collector.proc.ProcessEnricher;
import io.tapflow.collector.publish.EventKind;
import io.tapflow.collector.publish.KafkaEventPublisher;
import io.tapflow.collector.publish.PublisherSettings;
import io.tapflow.collector.source.CaptureFilter;
import io.tapflow.localstack.kafka.KafkaBroker;
import io.tapflow.localstack.registry.SchemaRegistryServer;
import io.tapflow.schema.Direction;
import io.tapflow.schema.ProcessInfo;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import io.tapflow.schema.topic.Topic;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * (a) The agent replays a real capture into a real broker through the real schema registry; a consumer reads back
 * exactly what the replay source produces, keyed by socket id, in per-socket order.
 */
class ReplayToKafkaITCase extends CollectorItBase {

    private static KafkaBroker broker;
    private static SchemaRegistryServer registry;

    @BeforeAll
    static void start() {
        broker = KafkaBroker.start();
        registry = SchemaRegistryServer.start(broker.bootstrapServers(), 0, "_schemas_collector_replay");
        createRawTopics(broker);
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void replayedCaptureArrivesInKafkaKeyedBySocketInOrder() throws Exception {
        Path file = capture("http-ipv4.pcap");
        InProcessAgent agent = new InProcessAgent();
        int code = agent.run("--replay", file.toString(), "--kafka-bootstrap", broker.bootstrapServers(),
                "--schema-registry-url", registry.url(), "--agent-id", IDENTITY.agentId(), "--host", IDENTITY.host(),
                "--payload-bytes", "4096", "--replay-max-event-bytes", "4096", "--metrics-port", "-1",
                "--status-interval-s", "1");
        assertThat(code).as("exit code; stderr: %s", agent.err()).isZero();
        assertThat(agent.out()).contains("summary:").contains("dropped=0");

        List<TcpEvent> expectedTcp = new ArrayList<>();
        CaptureFilter filter = new CaptureFilter(Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), 4096, 1);
        List<SocketDataEvent> expected = replayDirectly(file, filter,
                ReplayOptions.defaults().withMaxEventBytes(4096), expectedTcp);

        // the topics are shared with the other test of this class: this agent's records only
        List<Read<SocketDataEvent>> data = readAll(broker.bootstrapServers(), registry,
                Topic.RAW_SOCKET_DATA.topicName(), SocketDataEvent.class, Duration.ofSeconds(3)).stream()
                .filter(r -> r.value().getAgentId().equals(IDENTITY.agentId())).toList();
        assertThat(data).hasSameSizeAs(expected);
        for (Read<SocketDataEvent> read : data) {
            assertThat(ByteBuffer.wrap(read.key()).getLong()).isEqualTo(read.value().getSocketId());
            assertThat(read.key()).hasSize(8);
        }
        // per socket: one partition, and exactly the source's events in the source's order
        Map<Long, List<Read<SocketDataEvent>>> bySocket = data.stream().collect(Collectors.groupingBy(
                r -> r.value().getSocketId(), LinkedHashMap::new, Collectors.toList()));
        Map<Long, List<SocketDataEvent>> expectedBySocket = expected.stream().collect(Collectors.groupingBy(
                SocketDataEvent::getSocketId, LinkedHashMap::new, Collectors.toList()));
        assertThat(bySocket.keySet()).isEqualTo(expectedBySocket.keySet());
        for (Map.Entry<Long, List<Read<SocketDataEvent>>> socket : bySocket.entrySet()) {
            assertThat(socket.getValue().stream().map(Read::partition).distinct()).hasSize(1);
            List<SocketDataEvent> inOffsetOrder = socket.getValue().stream()
                    .sorted((a, b) -> Long.compare(a.offset(), b.offset())).map(Read::value).toList();
            assertThat(inOffsetOrder).isEqualTo(expectedBySocket.get(socket.getKey()));
            for (Direction direction : List.of(Direction.EGRESS, Direction.INGRESS)) {
                List<Long> dataSeqs = inOffsetOrder.stream().filter(e -> e.getDirection() == direction)
                        .map(SocketDataEvent::getDataSeq).toList();
                assertThat(dataSeqs).isSorted().doesNotHaveDuplicates();
            }
        }
        // the payloads are the capture's bytes: the large body nginx served is in the server's writes
        assertThat(data).anySatisfy(r -> assertThat(new String(bytes(r.value().getPayload())))
                .contains("collector replay line 000000"));

        List<Read<TcpEvent>> tcp = readAll(broker.bootstrapServers(), registry, Topic.RAW_TCP_EVENTS.topicName(),
                TcpEvent.class, Duration.ofSeconds(2)).stream()
                .filter(r -> r.value().getAgentId().equals(IDENTITY.agentId())).toList();
        assertThat(tcp.stream().map(Read::value).collect(Collectors.toSet()))
                .isEqualTo(Set.copyOf(expectedTcp));
        assertThat(tcp).allSatisfy(r ->
                assertThat(ByteBuffer.wrap(r.key()).getLong()).isEqualTo(r.value().getSocketId()));
        // a replay has no processes (pid 0): nothing of this agent on the process topic
        assertThat(readAll(broker.bootstrapServers(), registry, Topic.RAW_PROCESS.topicName(), ProcessInfo.class,
                Duration.ofSeconds(1))).noneMatch(r -> r.value().getAgentId().equals(IDENTITY.agentId()));
    }

    /**
     * (c) /metrics over HTTP while a looping replay runs, and the config file's capture filter reloaded at run time:
     * denying the capture's server port stops new socket events.
     */
    @Test
    void metricsEndpointShowsTheCountersAndTheFilterReloadsFromTheConfigFile(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("collector.properties");
        Files.writeString(config, "# collector test config\npayload-bytes=512\nkafka-bootstrap=" + broker.bootstrapServers()
                + "\nschema-registry-url=" + registry.url() + "\n");
        InProcessAgent agent = new InProcessAgent();
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> agent.run("--config", config.toString(),
                "--replay", capture("http-ipv4.pcap").toString(), "--replay-loops", "100000000",
                "--replay-speed", "1", "--agent-id", "metrics-agent", "--metrics-port", "0", "--metrics-bind",
                "127.0.0.1", "--config-poll-ms", "200", "--status-interval-s", "1"));
        try {
            int port = awaitPort(agent);
            MetricsScrape scrape = awaitScrape(port, s -> s.value(
                    "tapflow_collector_published_total{topic=\"tapflow.raw.socket-data\"}") > 100);
            assertThat(scrape.contentType()).startsWith("text/plain; version=0.0.4");
            assertThat(scrape.text()).contains("# TYPE tapflow_collector_events_total counter",
                    "# TYPE tapflow_collector_queue_depth gauge", "# HELP tapflow_collector_dropped_total");
            assertThat(scrape.value("tapflow_collector_events_total{type=\"socket_data\"}")).isPositive();
            assertThat(scrape.value("tapflow_collector_events_total{type=\"tcp_event\"}")).isPositive();
            assertThat(scrape.value("tapflow_collector_event_bytes_total{type=\"socket_data\"}")).isPositive();
            assertThat(scrape.value("tapflow_collector_published_total{topic=\"tapflow.raw.tcp-events\"}"))
                    .isPositive();
            assertThat(scrape.value("tapflow_collector_dropped_total{reason=\"queue_full\"}")).isNotNegative();
            assertThat(scrape.value("tapflow_collector_source_dropped_total")).isZero();
            assertThat(scrape.value("tapflow_collector_kafka_outage")).isZero();
            assertThat(scrape.value("tapflow_collector_queue_capacity")).isEqualTo(16384);
            assertThat(scrape.value("tapflow_collector_source_events_total{counter=\"packets\"}")).isPositive();
            assertThat(scrape.value("tapflow_collector_jvm_heap_used_bytes")).isPositive();

            // deny the server's port in the file: the next connections of the loop are filtered out
            int serverPort = Integer.parseInt(Files.readAllLines(capture("http-ipv4.segments.tsv")).get(0)
                    .split("\t")[4]);
            Files.writeString(config, Files.readString(config) + "deny-ports=" + serverPort + "\n");
            awaitScrape(port, s -> s.value("tapflow_collector_source_events_total{counter=\"filtered_flows\"}") > 2);
            Thread.sleep(500); // connections opened before the reload end within one pass (16 ms)
            double before = MetricsScrape.of(port).value("tapflow_collector_events_total{type=\"socket_data\"}");
            Thread.sleep(1000);
            double after = MetricsScrape.of(port).value("tapflow_collector_events_total{type=\"socket_data\"}");
            assertThat(after).isEqualTo(before);
            assertThat(agent.out()).contains("status:");
        } finally {
            agent.main.requestStopAndWait();
        }
        assertThat(run.get(60, TimeUnit.SECONDS)).isZero();
    }

    /** A process the enricher reads from /proc goes to the compacted topic keyed agent/pid/start. */
    @Test
    void processInfoIsPublishedKeyedByAgentPidAndStart() throws Exception {
        KafkaEventPublisher publisher = new KafkaEventPublisher(
                PublisherSettings.defaults(broker.bootstrapServers(), registry.url()), "proc-agent");
        ProcessEnricher enricher = new ProcessEnricher(new ProcReader(Path.of("/proc")), "proc-agent", "it-host",
                16, 0);
        int pid = (int) ProcessHandle.current().pid();
        enricher.containerId(pid, publisher::offer);
        publisher.close(Duration.ofSeconds(30));
        assertThat(publisher.stats().published(EventKind.PROCESS_INFO)).isEqualTo(1);

        List<Read<ProcessInfo>> infos = readAll(broker.bootstrapServers(), registry, Topic.RAW_PROCESS.topicName(),
                ProcessInfo.class, Duration.ofSeconds(2)).stream()
                .filter(r -> r.value().getAgentId().equals("proc-agent")).toList();
        assertThat(infos).hasSize(1);
        ProcessInfo info = infos.get(0).value();
        assertThat(info.getPid()).isEqualTo(pid);
        assertThat(info.getComm()).isEqualTo("java");
        assertThat(new String(infos.get(0).key(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("proc-agent/" + pid + "/" + info.getStartTimeNs());
    }

    private static int awaitPort(InProcessAgent agent) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            int port = MetricsScrape.portIn(agent.out());
            if (port > 0) {
                return port;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no metrics port printed: " + agent.out() + agent.err());
    }

    private static MetricsScrape awaitScrape(int port, java.util.function.Predicate<MetricsScrape> condition)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        MetricsScrape scrape = null;
        while (System.nanoTime() < deadline) {
            scrape = MetricsScrape.of(port);
            if (condition.test(scrape)) {
                return scrape;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("condition not met within 30 s; last scrape:\n" + (scrape == null ? "" : scrape.text()));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
