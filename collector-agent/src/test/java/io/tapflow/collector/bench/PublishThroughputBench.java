package io.tapflow.collector.bench;

import io.tapflow.collector.pcap.PcapReplaySource;
import io.tapflow.collector.pcap.ReplayOptions;
import io.tapflow.collector.publish.DropReason;
import io.tapflow.collector.publish.KafkaEventPublisher;
import io.tapflow.collector.publish.PublishStats;
import io.tapflow.collector.publish.PublisherSettings;
import io.tapflow.collector.source.AgentIdentity;
import io.tapflow.collector.source.CaptureFilter;
import io.tapflow.collector.source.RawEventSink;
import io.tapflow.localstack.kafka.KafkaBroker;
import io.tapflow.localstack.registry.SchemaRegistryServer;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import io.tapflow.schema.topic.Topic;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * How fast the agent's user side gets raw events into Kafka: a real capture (redis-cli vs redis-server) replayed in
 * a loop as fast as the source goes, offered to the real publisher (Avro, schema registry, idempotent producer) of a
 * real in-process broker; prints events/s, events/s per CPU core used by this process (broker included, so it
 * understates the agent), drops by reason and unaccounted events (offered − published − dropped, must be 0).
 * Usage: {@code PublishThroughputBench [--events N] [--capture FILE]}.
 */
public final class PublishThroughputBench {

    private PublishThroughputBench() {}

    public static void main(String[] args) throws Exception {
        long events = Long.parseLong(arg(args, "--events", "1000000"));
        Path capture = Path.of(arg(args, "--capture", "collector-agent/src/test/resources/captures/redis.pcapng"));
        try (KafkaBroker broker = KafkaBroker.start();
             SchemaRegistryServer registry = SchemaRegistryServer.start(broker.bootstrapServers(), 0, "_schemas")) {
            broker.createTopic(Topic.RAW_SOCKET_DATA.topicName(), 4);
            broker.createTopic(Topic.RAW_TCP_EVENTS.topicName(), 4);
            // the publisher also sends ProcessInfo; without its topic the producer waits for metadata and the
            // hand-off queue overflows (queue_full), which is what this bench measured until it was created here
            broker.createTopic(Topic.RAW_PROCESS.topicName(), 1, Map.of("cleanup.policy", "compact"));
            KafkaEventPublisher publisher = new KafkaEventPublisher(
                    PublisherSettings.defaults(broker.bootstrapServers(), registry.url()), "bench-agent");
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long[] offered = {0};
            RawEventSink sink = new RawEventSink() {
                @Override
                public void onSocketData(SocketDataEvent event) {
                    publisher.offer(event);
                    offered[0]++;
                }

                @Override
                public void onTcpEvent(TcpEvent event) {
                    publisher.offer(event);
                    offered[0]++;
                }
            };
            System.out.printf("publishing %,d replayed events of %s to a local broker…%n", events, capture);
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            try (PcapReplaySource source = PcapReplaySource.open(capture, new AgentIdentity("bench-agent", "bench"),
                    CaptureFilter.defaults(), ReplayOptions.defaults().withLoops(Integer.MAX_VALUE))) {
                while (offered[0] < events) {
                    source.poll(sink, Duration.ofMillis(10));
                }
            }
            publisher.close(Duration.ofSeconds(120));
            long wallNs = System.nanoTime() - t0;
            double cpuSeconds = (os.getProcessCpuTime() - cpu0) / 1e9;
            PublishStats stats = publisher.stats();
            double perSecond = stats.published() / (wallNs / 1e9);
            System.out.printf("published %,d of %,d offered in %.1f s: %,.0f events/s, %,.0f events/s per core"
                    + " (%.1f CPU s incl. broker)%n", stats.published(), stats.offered(), wallNs / 1e9, perSecond,
                    stats.published() / cpuSeconds, cpuSeconds);
            StringBuilder drops = new StringBuilder();
            for (DropReason reason : DropReason.values()) {
                if (stats.dropped(reason) > 0) {
                    drops.append(' ').append(reason.name().toLowerCase()).append('=').append(stats.dropped(reason));
                }
            }
            System.out.printf("dropped %,d%s; unaccounted %d%n", stats.droppedTotal(), drops,
                    stats.offered() - stats.published() - stats.droppedTotal());
        }
    }

    private static String arg(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
