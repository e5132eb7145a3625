package io.tapflow.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.localstack.registry.SchemaRegistryServer;
import io.tapflow.schema.topic.Topic;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * (b) Kafka stopped for 60 s under load: the agent replays a capture in a loop (~14k events/s) while the broker is
 * stopped and then started again on the same port and data. During the outage the agent's queue and its buffer
 * for Kafka (backlog + producer) stay within their bounds and the live heap stays small; records are kept up to the
 * budget, then dropped and counted by reason; when Kafka is back, publishing resumes (the backlog first); at the
 * end every event the source produced is published or counted as dropped.
 */
class KafkaOutageITCase extends CollectorItBase {

    private static final int QUEUE_CAPACITY = 4096;
    private static final long QUEUE_BYTES = 4L << 20;
    private static final long BUFFER_BYTES = 4L << 20;
    /** Live heap (after GC) of the whole test JVM: agent, its replay, the registry, the consumer of this test. */
    private static final long LIVE_HEAP_CEILING = 256L << 20;
    private static final Pattern SUMMARY = Pattern.compile(
            "offered=(\\d+) published=(\\d+) dropped=(\\d+)\\S* queued=(\\d+) in_flight=(\\d+)");
    private static final Pattern SOURCE_EVENTS = Pattern.compile("socket_data_events=(\\d+) tcp_events=(\\d+)");

    @TempDir
    Path dir;

    @Test
    void boundedWhileKafkaIsDownAndPublishingResumesWhenItReturns() throws Exception {
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(dir.resolve("kafka"));
             SchemaRegistryServer registry = SchemaRegistryServer.start(broker.bootstrapServers(), 0, "_schemas")) {
            createTopics(broker.bootstrapServers());
            InProcessAgent agent = new InProcessAgent();
            CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> agent.run(
                    "--replay", capture("http-ipv4.pcap").toString(), "--replay-loops", "100000000",
                    "--replay-speed", "2", "--kafka-bootstrap", broker.bootstrapServers(),
                    "--schema-registry-url", registry.url(), "--agent-id", "outage-agent", "--host", "it-host",
                    "--queue-capacity", Integer.toString(QUEUE_CAPACITY), "--queue-bytes", Long.toString(QUEUE_BYTES),
                    "--kafka-buffer-bytes", Long.toString(BUFFER_BYTES), "--kafka-delivery-timeout-ms", "15000",
                    "--kafka-outage-after-ms", "2000", "--metrics-port", "0", "--metrics-bind", "127.0.0.1",
                    "--status-interval-s", "5", "--shutdown-timeout-s", "5"));
            int port = awaitMetricsPort(agent);

            // normal operation
            awaitPublished(port, 1000, Duration.ofSeconds(30));
            long recordsBefore = endOffsets(broker.bootstrapServers());

            broker.stop();
            long outageStart = System.nanoTime();
            List<MetricsScrape> during = new ArrayList<>();
            while (System.nanoTime() - outageStart < TimeUnit.SECONDS.toNanos(60)) {
                Thread.sleep(1000);
                during.add(MetricsScrape.of(port));
            }
            MetricsScrape lastDuring = during.get(during.size() - 1);
            for (MetricsScrape scrape : during) {
                assertThat(scrape.value("tapflow_collector_queue_depth")).isLessThanOrEqualTo(QUEUE_CAPACITY);
                assertThat(scrape.value("tapflow_collector_queue_bytes")).isLessThanOrEqualTo(QUEUE_BYTES);
                assertThat(scrape.value("tapflow_collector_kafka_buffered_bytes")).isLessThanOrEqualTo(BUFFER_BYTES);
                assertThat(scrape.value("tapflow_collector_jvm_heap_live_bytes")).isLessThan(LIVE_HEAP_CEILING);
            }
            // the numbers behind the bounds, for the test's report
            System.out.printf("outage: max queue depth %.0f/%d, max queue bytes %.0f/%d, max producer buffer %.0f/%d,"
                            + " max heap used %.0f MB, max live heap %.0f MB%n",
                    during.stream().mapToDouble(m -> m.value("tapflow_collector_queue_depth")).max().orElse(0),
                    QUEUE_CAPACITY,
                    during.stream().mapToDouble(m -> m.value("tapflow_collector_queue_bytes")).max().orElse(0),
                    QUEUE_BYTES,
                    during.stream().mapToDouble(m -> m.value("tapflow_collector_kafka_buffered_bytes")).max().orElse(0),
                    BUFFER_BYTES,
                    during.stream().mapToDouble(m -> m.value("tapflow_collector_jvm_heap_used_bytes")).max().orElse(0)
                            / (1 << 20),
                    during.stream().mapToDouble(m -> m.value("tapflow_collector_jvm_heap_live_bytes")).max().orElse(0)
                            / (1 << 20));
            System.out.println("last scrape of the outage:\n" + lastDuring.text());
            assertThat(lastDuring.value("tapflow_collector_kafka_outage")).isEqualTo(1);
            assertThat(lastDuring.value("tapflow_collector_dropped_total{reason=\"kafka_unavailable\"}")).isPositive();
            // the budget was used: records were kept for Kafka, up to the budget, before any were dropped
            assertThat(during.stream().mapToDouble(m -> m.value("tapflow_collector_kafka_backlog_bytes")).max()
                    .orElse(0)).isGreaterThan(BUFFER_BYTES / 2.0);
            // the source kept going the whole time: the polling thread never blocked on Kafka
            double eventsAtStart = during.get(4).value("tapflow_collector_events_total{type=\"socket_data\"}");
            assertThat(lastDuring.value("tapflow_collector_events_total{type=\"socket_data\"}") - eventsAtStart)
                    .isGreaterThan(100_000);
            double publishedDuring = lastDuring.value(
                    "tapflow_collector_published_total{topic=\"tapflow.raw.socket-data\"}");

            broker.startAgain();
            MetricsScrape resumed = awaitPublished(port, (long) publishedDuring + 1000, Duration.ofSeconds(40));
            assertThat(resumed.value("tapflow_collector_kafka_outage")).isZero();

            agent.main.requestStopAndWait();
            assertThat(run.get(60, TimeUnit.SECONDS)).as("exit code; stderr %s", agent.err()).isZero();
            long recordsAfter = endOffsets(broker.bootstrapServers());
            assertThat(recordsAfter).as("records in Kafka after the outage").isGreaterThan(recordsBefore);

            // every event the source produced: published or dropped with a reason, nothing unaccounted
            Matcher summary = SUMMARY.matcher(agent.out());
            assertThat(summary.find()).as("summary line in %s", agent.out()).isTrue();
            long offered = Long.parseLong(summary.group(1));
            long published = Long.parseLong(summary.group(2));
            long dropped = Long.parseLong(summary.group(3));
            assertThat(Long.parseLong(summary.group(4))).isZero();
            assertThat(Long.parseLong(summary.group(5))).isZero();
            assertThat(published + dropped).isEqualTo(offered);
            Matcher source = SOURCE_EVENTS.matcher(agent.out());
            assertThat(source.find()).isTrue();
            assertThat(Long.parseLong(source.group(1)) + Long.parseLong(source.group(2))).isEqualTo(offered);
            assertThat(recordsAfter).isGreaterThanOrEqualTo(published);
            assertThat(agent.out()).contains("kafka DOWN");
        }
    }

    private static int awaitMetricsPort(InProcessAgent agent) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            int port = MetricsScrape.portIn(agent.out());
            if (port > 0) {
                return port;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("agent printed no metrics port; stdout " + agent.out() + " stderr " + agent.err());
    }

    private static MetricsScrape awaitPublished(int port, long atLeast, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        MetricsScrape scrape = null;
        while (System.nanoTime() < deadline) {
            scrape = MetricsScrape.of(port);
            if (scrape.value("tapflow_collector_published_total{topic=\"tapflow.raw.socket-data\"}") >= atLeast) {
                return scrape;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("fewer than " + atLeast + " published within " + timeout + ":\n"
                + (scrape == null ? "" : scrape.text()));
    }

    private static void createTopics(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(
                    new NewTopic(Topic.RAW_SOCKET_DATA.topicName(), 4, (short) 1),
                    new NewTopic(Topic.RAW_TCP_EVENTS.topicName(), 4, (short) 1),
                    new NewTopic(Topic.RAW_PROCESS.topicName(), 1, (short) 1)
                            .configs(Map.of("cleanup.policy", "compact")))).all().get(60, TimeUnit.SECONDS);
        }
    }

    /** Records in the two raw event topics (sum of end offsets). */
    private static long endOffsets(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, OffsetSpec> request = new java.util.HashMap<>();
            for (Topic topic : List.of(Topic.RAW_SOCKET_DATA, Topic.RAW_TCP_EVENTS)) {
                for (int p = 0; p < 4; p++) {
                    request.put(new TopicPartition(topic.topicName(), p), OffsetSpec.latest());
                }
            }
            return admin.listOffsets(request).all().get(60, TimeUnit.SECONDS).values().stream()
                    .mapToLong(info -> info.offset()).sum();
        }
    }
}
