package io.tapflow.collector.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.schema.Direction;
import io.tapflow.schema.IpFamily;
import io.tapflow.schema.L4Protocol;
import io.tapflow.schema.Role;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.Syscall;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The publisher with nothing listening where Kafka and the registry should be (a real situation, no server
 * needed): the polling side never blocks, the queue stays within its bound, and every event is accounted for.
 */
class KafkaEventPublisherTest {

    @Test
    void nothingReachableMeansBoundedQueueAndCountedDrops() throws IOException {
        int closed = freePort();
        PublisherSettings settings = PublisherSettings.defaults("127.0.0.1:" + closed, "http://127.0.0.1:" + closed)
                .withQueue(50, 1 << 20);
        KafkaEventPublisher publisher = new KafkaEventPublisher(settings, "agent");
        long t0 = System.nanoTime();
        for (int i = 0; i < 10_000; i++) {
            publisher.offer(event(i));
            assertThat(publisher.stats().queued()).isLessThanOrEqualTo(50);
        }
        long offerMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(offerMs).as("10k offers never wait for Kafka").isLessThan(2_000);
        PublishStats stats = publisher.stats();
        assertThat(stats.dropped(DropReason.QUEUE_FULL)).isGreaterThan(9_000);
        publisher.close(Duration.ofSeconds(2));
        assertThat(stats.offered()).isEqualTo(10_000);
        assertThat(stats.published()).isZero();
        assertThat(stats.queued()).isZero();
        assertThat(stats.inFlight()).isZero();
        assertThat(stats.unaccounted()).isZero();
        assertThat(stats.droppedTotal()).isEqualTo(10_000);
    }

    @Test
    void aFullQueueByBytesDropsToo() throws IOException {
        int closed = freePort();
        PublisherSettings settings = PublisherSettings.defaults("127.0.0.1:" + closed, "http://127.0.0.1:" + closed)
                .withQueue(1_000_000, 10 * (KafkaEventPublisher.EVENT_OVERHEAD_BYTES + 100));
        KafkaEventPublisher publisher = new KafkaEventPublisher(settings, "agent");
        for (int i = 0; i < 1000; i++) {
            publisher.offer(event(i));
            assertThat(publisher.stats().queuedBytes()).isLessThanOrEqualTo(settings.queueBytes());
        }
        assertThat(publisher.stats().dropped(DropReason.QUEUE_FULL)).isGreaterThan(900);
        publisher.close(Duration.ofSeconds(1));
        assertThat(publisher.stats().unaccounted()).isZero();
    }

    @Test
    void batchesAre256KibUnlessTheProducerBufferIsSmallOrTheUserSaysOtherwise() {
        PublisherSettings defaults = PublisherSettings.defaults("127.0.0.1:9092", "http://127.0.0.1:8081");
        assertThat(KafkaEventPublisher.producerConfig(defaults)).containsEntry("batch.size", "262144");
        PublisherSettings small = defaults.withBuffer(1 << 20, Duration.ofMillis(50), Duration.ofSeconds(30));
        assertThat(KafkaEventPublisher.producerBufferBytes(small)).isEqualTo(256 << 10);
        assertThat(KafkaEventPublisher.producerConfig(small)).containsEntry("batch.size", "16384");
        PublisherSettings mid = defaults.withBuffer(8 << 20, Duration.ofMillis(50), Duration.ofSeconds(30));
        assertThat(KafkaEventPublisher.producerConfig(mid)).containsEntry("batch.size", Integer.toString(128 << 10));
        PublisherSettings own = defaults.withExtraProducerConfig(java.util.Map.of("batch.size", "65536"));
        assertThat(KafkaEventPublisher.producerConfig(own)).containsEntry("batch.size", "65536");
    }

    @Test
    void socketKeyIsTheIdAsEightBigEndianBytes() {
        assertThat(KafkaEventPublisher.socketKey(0x0102030405060708L))
                .containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    }

    private static SocketDataEvent event(int i) {
        SocketDataEvent event = new SocketDataEvent();
        event.setAgentId("agent");
        event.setHost("host");
        event.setPid(1);
        event.setTid(1);
        event.setComm("test");
        event.setFd(3);
        event.setSocketId(i % 7);
        event.setRole(Role.CLIENT);
        event.setIpFamily(IpFamily.IPV4);
        event.setLocalIp("127.0.0.1");
        event.setLocalPort(40000);
        event.setRemoteIp("127.0.0.1");
        event.setRemotePort(80);
        event.setL4Protocol(L4Protocol.TCP);
        event.setDirection(Direction.EGRESS);
        event.setSyscall(Syscall.WRITE);
        event.setTimestampNs(1L);
        event.setByteCount(100L);
        event.setPayload(ByteBuffer.wrap(new byte[100]));
        event.setPayloadTruncated(false);
        event.setTcpSeq(1L);
        event.setDataSeq(0L);
        event.setThreadTraceId(0L);
        return event;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
