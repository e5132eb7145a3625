package io.tapflow.flowagg;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.collector.pcap.ReplayOptions;
import io.tapflow.flowagg.config.FlowAggregationOptions;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import io.tapflow.schema.serde.AvroSerializer;
import io.tapflow.schema.registry.SchemaRegistryClientConfig;
import io.tapflow.schema.topic.Topic;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad input through the whole running job: records that are not Avro, Avro of a schema id the registry never
 * issued, Avro cut short, a 10 MB event, a flow whose payloads are random bytes (no protocol), events of a flow out
 * of order and events days late. Each becomes a dead letter (Kafka and ClickHouse) or an UNKNOWN-protocol flow log,
 * with its counter; the good traffic around it still comes out exactly and the job keeps running.
 */
class FlowAggregationBadDataITCase {

    private static final int TEN_MB = 10 * 1024 * 1024;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(() -> new MiniClusterResourceConfiguration
            .Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).setConfiguration(fastMetrics())
            .build());

    @RegisterExtension
    static final JobFixture fixture = JobFixture.forDatabase("flowagg_bad_data_it");

    private static Configuration fastMetrics() {
        Configuration conf = new Configuration();
        conf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(500));
        return conf;
    }

    @Test
    void badInputBecomesDeadLettersAndCountersWhileGoodTrafficComesOutExactly(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        FlowAggregationOptions options = fixture.options(Map.of("watermark.out-of-orderness", "1s",
                "flow.close-grace", "1s"));
        JobClient job = fixture.startJob(options, new FlowAggregationJob.KafkaClickHouseIo(options),
                "flow-aggregation-bad-data-it");
        JobID id = job.getJobID();
        try {
            ReplayOptions live = ReplayOptions.defaults().withShiftToNow(true);
            Random random = new Random(42);

            // records that are not what the topics promise
            for (int i = 0; i < 3; i++) {
                fixture.send(Topic.RAW_SOCKET_DATA, 9000 + i, garbage(random, 20 + 40 * i));
            }
            fixture.send(Topic.RAW_TCP_EVENTS, 9003, garbage(random, 64));
            byte[] unknownSchema = bytes(random, 40);
            ByteBuffer.wrap(unknownSchema).put((byte) 0).putInt(987_654);
            fixture.send(Topic.RAW_SOCKET_DATA, 9004, unknownSchema);
            GoldenTraffic.Traffic redis = GoldenTraffic.golden("redis/04-pipeline-cli", "cut", live);
            SocketDataEvent real = firstData(redis.events());
            byte[] whole = serialize(Topic.RAW_SOCKET_DATA, real);
            fixture.send(Topic.RAW_SOCKET_DATA, 9005, Arrays.copyOf(whole, whole.length / 2));

            // a 10 MB event: a real one whose payload the collector would never have captured whole
            fixture.publish(List.of(SocketDataEvent.newBuilder(real).setAgentId("oversized").setSocketId(9006)
                    .setByteCount(TEN_MB).setPayload(ByteBuffer.wrap(bytes(random, TEN_MB))).build()));

            // a real DNS-over-TCP conversation whose payloads are replaced by random bytes: no protocol matches
            List<SpecificRecordBase> noProtocol = new ArrayList<>();
            for (SpecificRecordBase e : GoldenTraffic.golden("dns/08-tcp-multi", "garbage", live).events()) {
                noProtocol.add(e instanceof SocketDataEvent d ? SocketDataEvent.newBuilder(d)
                        .setPayload(ByteBuffer.wrap(bytes(random, d.getPayload().remaining()))).build() : e);
            }
            fixture.publish(noProtocol);
            int noProtocolSockets = GoldenTraffic.golden("dns/08-tcp-multi", "garbage", live).sockets();

            // the good traffic starts after the garbage flow's close grace, so its watermark closes that flow
            Thread.sleep(3_000);
            // replayed as calls of at most 200 bytes, so that messages span several events that can be reordered
            GoldenTraffic.Traffic good = GoldenTraffic.goldens("good", live.withMaxEventBytes(200));
            fixture.publish(swapDataPairs(good.events()));
            // days late: a golden replayed with its own capture times, after everything else
            GoldenTraffic.Traffic late = GoldenTraffic.golden("http1/01-get-keepalive", "late",
                    ReplayOptions.defaults());
            fixture.publish(late.events());

            Map<String, Long> expected = new TreeMap<>(good.requests());
            late.requests().forEach((k, v) -> expected.merge(k, v, Long::sum));
            long expectedTotal = 2 * (good.requestCount() + late.requestCount());
            String logs = fixture.table("l7_request_log") + " FINAL";
            String deadLetters = fixture.table("dead_letters") + " FINAL";
            JobFixture.await(expectedTotal + " request logs and 7 dead letters in ClickHouse", Duration.ofSeconds(120),
                    () -> fixture.scalar("SELECT count() FROM " + logs) >= expectedTotal
                            && fixture.scalar("SELECT count() FROM " + deadLetters) >= 7);

            assertThat(reasons(deadLetters)).as("dead letters by reason (ClickHouse)").isEqualTo(Map.of(
                    "UNDECODABLE", 5L, "UNKNOWN_SCHEMA", 1L, "OVERSIZED", 1L));
            assertThat(fixture.scalar("SELECT max(original_size) FROM " + deadLetters + " WHERE reason = 'OVERSIZED'"))
                    .as("the oversized event's size is recorded").isGreaterThanOrEqualTo(TEN_MB);
            JobFixture.await("dead letters on Kafka, read_committed", Duration.ofSeconds(30),
                    () -> fixture.committed(Topic.DEAD_LETTERS, io.tapflow.schema.DeadLetter.class).size() == 7);

            for (String point : List.of("CLIENT_PROCESS", "SERVER_PROCESS")) {
                Map<String, Long> actual = fixture.requestsByType(point);
                assertThat(actual).as("requests per protocol and type at %s: the good (reordered) and late"
                        + " traffic, nothing from the bad input", point).isEqualTo(expected);
            }
            JobFixture.await("the random-payload flows' final flow logs", Duration.ofSeconds(60),
                    () -> fixture.scalar("SELECT count() FROM " + fixture.table("l4_flow_log") + " FINAL"
                            + " WHERE agent_id = 'garbage' AND is_final = 1") > 0);
            assertThat(fixture.lines("SELECT DISTINCT l7_protocol FROM " + fixture.table("l4_flow_log")
                    + " FINAL WHERE agent_id = 'garbage'")).as("protocol of the random-payload flows")
                    .containsExactly("UNKNOWN");

            JobMetrics metrics = new JobMetrics(cluster, id);
            Map<String, Long> expectedCounters = Map.of("reason.UNDECODABLE.deadLetters", 5L,
                    "reason.UNKNOWN_SCHEMA.deadLetters", 1L, "reason.OVERSIZED.deadLetters", 1L,
                    "unknownProtocolFlows", (long) noProtocolSockets, "lateEvents", (long) dataEvents(late.events()));
            JobFixture.await("counters " + expectedCounters, Duration.ofSeconds(30),
                    () -> counters(metrics).equals(expectedCounters));
            assertThat(cluster.getJobStatus(id).get(10, TimeUnit.SECONDS)).as("job status after the bad input")
                    .isEqualTo(JobStatus.RUNNING);
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    private static Map<String, Long> counters(JobMetrics metrics) {
        Map<String, Long> values = new HashMap<>();
        try {
            for (String reason : List.of("UNDECODABLE", "UNKNOWN_SCHEMA", "OVERSIZED")) {
                values.put("reason." + reason + ".deadLetters", metrics.sum("reason." + reason + ".deadLetters"));
            }
            values.put("unknownProtocolFlows", metrics.sum("reassembly.unknownProtocolFlows"));
            values.put("lateEvents", metrics.sum("reassembly.lateEvents"));
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the job's metrics", e);
        }
        System.out.println("job counters: " + values);
        return values;
    }

    private Map<String, Long> reasons(String deadLetters) {
        Map<String, Long> byReason = new TreeMap<>();
        for (String line : fixture.lines("SELECT reason, count() FROM " + deadLetters + " GROUP BY reason")) {
            String[] f = line.split("\t");
            byReason.put(f[0], Long.parseLong(f[1]));
        }
        return byReason;
    }

    /**
     * Swaps back-to-back data events of one socket and direction (no other event of that socket between them): the
     * reordering a collector can produce when two calls on one socket leave the ring buffer in the other order.
     * data_seq puts a direction back in order; the order between the two directions is the collector's to keep.
     */
    private static List<SpecificRecordBase> swapDataPairs(List<SpecificRecordBase> events) {
        List<SpecificRecordBase> out = new ArrayList<>(events);
        Map<Long, List<Integer>> positions = new HashMap<>();
        for (int i = 0; i < out.size(); i++) {
            SpecificRecordBase e = out.get(i);
            long socket = e instanceof SocketDataEvent d ? d.getSocketId() : ((TcpEvent) e).getSocketId();
            positions.computeIfAbsent(socket, s -> new ArrayList<>()).add(i);
        }
        int swapped = 0;
        for (List<Integer> p : positions.values()) {
            for (int k = 0; k + 1 < p.size(); k++) {
                if (out.get(p.get(k)) instanceof SocketDataEvent a && out.get(p.get(k + 1)) instanceof SocketDataEvent b
                        && a.getDirection() == b.getDirection()) {
                    Collections.swap(out, p.get(k), p.get(k + 1));
                    swapped++;
                    k++;
                }
            }
        }
        assertThat(swapped).as("data events swapped").isPositive();
        System.out.println("swapped " + swapped + " pairs of back-to-back data events");
        return out;
    }

    private static int dataEvents(List<SpecificRecordBase> events) {
        return (int) events.stream().filter(e -> e instanceof SocketDataEvent).count();
    }

    private static SocketDataEvent firstData(List<SpecificRecordBase> events) {
        return (SocketDataEvent) events.stream().filter(e -> e instanceof SocketDataEvent).findFirst().orElseThrow();
    }

    private static byte[] serialize(Topic topic, SpecificRecordBase record) {
        try (AvroSerializer<SpecificRecordBase> serializer = new AvroSerializer<>()) {
            serializer.configure(Map.of(SchemaRegistryClientConfig.URL, fixture.registry.url()), false);
            return serializer.serialize(topic.topicName(), record);
        }
    }

    /** Random bytes that do not start with the wire format's magic byte. */
    private static byte[] garbage(Random random, int n) {
        byte[] b = bytes(random, n);
        b[0] = 'G';
        return b;
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
