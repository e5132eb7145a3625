package io.tapflow.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.collector.bpf.NginxServer;
import io.tapflow.localstack.kafka.KafkaBroker;
import io.tapflow.localstack.registry.SchemaRegistryServer;
import io.tapflow.schema.Direction;
import io.tapflow.schema.ProcessInfo;
import io.tapflow.schema.Role;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import io.tapflow.schema.TcpEventType;
import io.tapflow.schema.topic.Topic;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent as users run it — the eBPF source, enrichment from /proc and the Kafka publisher — capturing a real curl
 * talking to a real nginx on loopback: both ends of every request reach the raw topics through the real schema
 * registry, keyed by socket id, with the processes' identities, and nothing of the agent's own Kafka traffic.
 */
class LiveCaptureToKafkaITCase extends CollectorItBase {

    private static KafkaBroker broker;
    private static SchemaRegistryServer registry;

    @BeforeAll
    static void start() {
        broker = KafkaBroker.start();
        registry = SchemaRegistryServer.start(broker.bootstrapServers(), 0, "_schemas_collector_live");
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
    void liveHttpOnLoopbackReachesKafkaFromBothEnds() throws Exception {
        String marker = "/live-" + UUID.randomUUID();
        InProcessAgent agent = new InProcessAgent();
        Thread running = new Thread(() -> agent.run("--source", "ebpf", "--kafka-bootstrap", broker.bootstrapServers(),
                "--schema-registry-url", registry.url(), "--agent-id", "live-agent", "--host", "live-host",
                "--metrics-port", "-1", "--status-interval-s", "1"), "agent");
        try (NginxServer nginx = NginxServer.start()) {
            running.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!agent.out().contains("events/s") && System.nanoTime() < deadline && running.isAlive()) {
                Thread.sleep(100);
            }
            assertThat(agent.out()).as("agent status line (stderr: %s)", agent.err()).contains("events/s");
            for (int i = 0; i < 3; i++) {
                Process curl = new ProcessBuilder(NginxServer.curl(), "-s", "-o", "/dev/null",
                        "http://127.0.0.1:" + nginx.port + marker + "/" + i).start();
                assertThat(curl.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(curl.exitValue()).isZero();
            }
            Thread.sleep(1500);
        } finally {
            agent.main.requestStopAndWait();
            running.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertThat(agent.out()).contains("summary:");

        List<Read<SocketDataEvent>> data = readAll(broker.bootstrapServers(), registry,
                Topic.RAW_SOCKET_DATA.topicName(), SocketDataEvent.class, Duration.ofSeconds(3));
        List<Read<SocketDataEvent>> requests = data.stream()
                .filter(r -> payload(r.value()).contains("GET " + marker)).toList();
        List<SocketDataEvent> sent = requests.stream().map(Read::value)
                .filter(e -> e.getDirection() == Direction.EGRESS).toList();
        List<SocketDataEvent> received = requests.stream().map(Read::value)
                .filter(e -> e.getDirection() == Direction.INGRESS).toList();
        assertThat(sent).as("curl's writes of the 3 requests among %d records; agent said: %s %s", data.size(),
                        agent.out(), agent.err()).hasSize(3).allSatisfy(e -> {
            assertThat(e.getComm()).isEqualTo("curl");
            assertThat(e.getRole()).isEqualTo(Role.CLIENT);
            assertThat(e.getAgentId()).isEqualTo("live-agent");
        });
        assertThat(received).as("nginx's reads of the 3 requests").hasSize(3).allSatisfy(e -> {
            assertThat(e.getComm()).isEqualTo("nginx");
            assertThat(e.getRole()).isEqualTo(Role.SERVER);
        });
        assertThat(sent.stream().map(SocketDataEvent::getTcpSeq).sorted().toList())
                .as("the same bytes have the same tcp_seq at both ends")
                .isEqualTo(received.stream().map(SocketDataEvent::getTcpSeq).sorted().toList());
        for (Read<SocketDataEvent> r : requests) {
            assertThat(ByteBuffer.wrap(r.key()).getLong()).isEqualTo(r.value().getSocketId());
        }
        // the agent's own Kafka and registry connections are never captured
        long agentPid = ProcessHandle.current().pid();
        assertThat(data).noneSatisfy(r -> assertThat(r.value().getPid()).isEqualTo((int) agentPid));

        List<Read<TcpEvent>> tcp = readAll(broker.bootstrapServers(), registry, Topic.RAW_TCP_EVENTS.topicName(),
                TcpEvent.class, Duration.ofSeconds(2));
        List<Long> curlSockets = sent.stream().map(SocketDataEvent::getSocketId).toList();
        assertThat(tcp.stream().map(Read::value)
                .filter(t -> curlSockets.contains(t.getSocketId()) && t.getType() == TcpEventType.CONNECT_ESTABLISHED))
                .as("a measured connect for each curl connection").hasSize(3)
                .allSatisfy(t -> assertThat(t.getConnectLatencyNs()).isPositive());

        List<Read<ProcessInfo>> processes = readAll(broker.bootstrapServers(), registry,
                Topic.RAW_PROCESS.topicName(), ProcessInfo.class, Duration.ofSeconds(2));
        assertThat(processes).as("nginx announced on the process topic")
                .anySatisfy(p -> {
                    assertThat(p.value().getComm()).isEqualTo("nginx");
                    assertThat(new String(p.key(), StandardCharsets.UTF_8)).isEqualTo("live-agent/"
                            + p.value().getPid() + "/" + p.value().getStartTimeNs());
                });
    }

    private static String payload(SocketDataEvent e) {
        ByteBuffer b = e.getPayload().duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
