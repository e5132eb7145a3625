package io.tapflow.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.collector.pcap.ReplayOptions;
import io.tapflow.collector.source.CaptureFilter;
import io.tapflow.localstack.kafka.KafkaBroker;
import io.tapflow.localstack.registry.SchemaRegistryServer;
import io.tapflow.schema.Direction;
import io.tapflow.schema.ProcessInfo;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import io.tapflow.schema.topic.Topic;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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

        List<Read<SocketDataEvent>> data = readAll(broker.bootstrapServers(), registry,
                Topic.RAW_SOCKET_DATA.topicName(), SocketDataEvent.class, Duration.ofSeconds(3));
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
                TcpEvent.class, Duration.ofSeconds(2));
        assertThat(tcp.stream().map(Read::value).collect(Collectors.toSet()))
                .isEqualTo(Set.copyOf(expectedTcp));
        assertThat(tcp).allSatisfy(r ->
                assertThat(ByteBuffer.wrap(r.key()).getLong()).isEqualTo(r.value().getSocketId()));
        // a replay has no processes (pid 0): nothing on the process topic
        assertThat(readAll(broker.bootstrapServers(), registry, Topic.RAW_PROCESS.topicName(), ProcessInfo.class,
                Duration.ofSeconds(1))).isEmpty();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
