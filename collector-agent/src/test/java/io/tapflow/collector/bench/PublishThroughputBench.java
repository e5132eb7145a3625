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
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.avro.specific.SpecificRecord;

/**
 * How fast the agent's user side gets raw events into Kafka: the events of a real capture (redis-cli vs
 * redis-server, replayed in many loops so that they carry many socket ids and spread over the partitions) are
 * offered to the real publisher (Avro, schema registry, idempotent producer) of a real in-process broker, as fast as
 * the publisher takes them without overflowing its hand-off queue.
 *
 * <p>The events are decoded from the capture before the clock starts: the pcap parser is the offline replay's
 * source, not the live agent's (the live source drains the ring buffer, see SyscallOverheadBench), so its cost is
 * not the publishing cost. CPU is taken per thread: the publishing path is the publisher thread (Avro, send) plus
 * the producer's I/O thread; the broker and schema registry share the JVM and are reported apart. Prints
 * events/s, events per CPU-second of the publishing path (the per-core figure of issue #3), drops by reason and
 * unaccounted events (offered − published − dropped, must be 0).
 * Usage: {@code PublishThroughputBench [--events N] [--rounds R] [--capture FILE] [--loops L] [--producer KEY=VALUE]...}
 * (producer settings on top of the agent's, e.g. {@code --producer compression.type=zstd}).
 */
public final class PublishThroughputBench {

    private static final String PUBLISHER_THREAD = "tapflow-publisher";
    private static final String PRODUCER_IO_THREAD = "kafka-producer-network-thread | tapflow-collector";

    private PublishThroughputBench() {}

    public static void main(String[] args) throws Exception {
        long events = Long.parseLong(arg(args, "--events", "2000000"));
        Path capture = Path.of(arg(args, "--capture", "collector-agent/src/test/resources/captures/redis.pcapng"));
        int loops = Integer.parseInt(arg(args, "--loops", "200"));
        int rounds = Integer.parseInt(arg(args, "--rounds", "5"));
        List<SpecificRecord> replayed = replay(capture, loops);
        System.out.printf("%,d events decoded from %d loops of %s; publishing %,d of them (cycled) to a local"
                + " broker in %d rounds…%n", replayed.size(), loops, capture, events, rounds);
        try (KafkaBroker broker = KafkaBroker.start();
             SchemaRegistryServer registry = SchemaRegistryServer.start(broker.bootstrapServers(), 0, "_schemas")) {
            broker.createTopic(Topic.RAW_SOCKET_DATA.topicName(), 4);
            broker.createTopic(Topic.RAW_TCP_EVENTS.topicName(), 4);
            // the publisher also sends ProcessInfo; without its topic the producer waits for metadata and the
            // hand-off queue overflows (queue_full)
            broker.createTopic(Topic.RAW_PROCESS.topicName(), 1, Map.of("cleanup.policy", "compact"));
            PublisherSettings settings = PublisherSettings.defaults(broker.bootstrapServers(), registry.url())
                    .withExtraProducerConfig(producerConfig(args));
            KafkaEventPublisher publisher = new KafkaEventPublisher(settings, "bench-agent");
            // warm-up: the registry round trips and the JIT are not what is measured
            offer(publisher, replayed, Math.max(events / rounds, 200_000), settings.queueCapacity());
            awaitIdle(publisher);
            PublishStats stats = publisher.stats();
            double[] perCpuSecond = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ThreadCpu cpu = new ThreadCpu();
                long published0 = stats.published();
                long bytes0 = stats.publishedBytes();
                long offered0 = stats.offered();
                long t0 = System.nanoTime();
                offer(publisher, replayed, events / rounds, settings.queueCapacity());
                awaitIdle(publisher);
                double wallSeconds = (System.nanoTime() - t0) / 1e9;
                ThreadCpu.Used used = cpu.used();
                long published = stats.published() - published0;
                double path = used.seconds(PUBLISHER_THREAD) + used.seconds(PRODUCER_IO_THREAD);
                perCpuSecond[r] = published / path;
                System.out.printf("round %d/%d: published %,d of %,d offered in %.1f s: %,.0f events/s, %,.0f bytes/s"
                        + " (key + Avro value, %.0f B per event)%n", r + 1, rounds, published,
                        stats.offered() - offered0, wallSeconds, published / wallSeconds,
                        (stats.publishedBytes() - bytes0) / wallSeconds,
                        (stats.publishedBytes() - bytes0) / (double) published);
                System.out.printf("  publishing path (publisher + producer I/O threads): %.2f CPU s = %,.0f events"
                        + " per CPU-second (publisher %.2f s, producer I/O %.2f s)%n", path, perCpuSecond[r],
                        used.seconds(PUBLISHER_THREAD), used.seconds(PRODUCER_IO_THREAD));
                System.out.printf("  same JVM, not the agent: offering thread %.2f CPU s, broker + registry + rest"
                        + " %.2f CPU s; whole process %,.0f events per CPU-second%n", used.seconds("main"),
                        used.total() - path - used.seconds("main"), published / used.total());
            }
            publisher.close(Duration.ofSeconds(120));
            double[] sorted = perCpuSecond.clone();
            java.util.Arrays.sort(sorted);
            System.out.printf("publishing path: median %,.0f events per CPU-second (min %,.0f, max %,.0f) over %d"
                    + " rounds; load average %s%n", sorted[rounds / 2], sorted[0], sorted[rounds - 1], rounds,
                    loadAverage());
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

    /** The capture's events, {@code loops} times over (each loop has its own socket ids). */
    private static List<SpecificRecord> replay(Path capture, int loops) throws Exception {
        List<SpecificRecord> out = new ArrayList<>();
        RawEventSink sink = RawEventSink.of(out::add);
        try (PcapReplaySource source = PcapReplaySource.open(capture, new AgentIdentity("bench-agent", "bench"),
                CaptureFilter.defaults(), ReplayOptions.defaults().withLoops(loops))) {
            while (source.poll(sink, Duration.ofMillis(10)) != PcapReplaySource.END_OF_INPUT) {
                // collect
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("no event replayed from " + capture);
        }
        return out;
    }

    /**
     * Offers {@code count} events, keeping the hand-off queue at most half full: the bench measures what the
     * publisher sustains, not how the agent drops when its source outruns it.
     */
    private static void offer(KafkaEventPublisher publisher, List<SpecificRecord> events, long count, int capacity) {
        int i = 0;
        for (long n = 0; n < count; n++) {
            while (publisher.stats().queued() > capacity / 2) {
                LockSupport.parkNanos(20_000);
            }
            SpecificRecord e = events.get(i);
            if (e instanceof SocketDataEvent data) {
                publisher.offer(data);
            } else {
                publisher.offer((TcpEvent) e);
            }
            i = i + 1 == events.size() ? 0 : i + 1;
        }
    }

    /** Until every offered event is published or dropped. */
    private static void awaitIdle(KafkaEventPublisher publisher) throws InterruptedException {
        PublishStats stats = publisher.stats();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (stats.published() + stats.droppedTotal() < stats.offered()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("publisher not idle after 120 s: " + stats);
            }
            Thread.sleep(5);
        }
    }

    /** CPU time per live thread name since construction. */
    private static final class ThreadCpu {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        private final Map<Long, Long> start = cpuById();

        private static Map<Long, Long> cpuById() {
            Map<Long, Long> cpu = new java.util.HashMap<>();
            for (long id : THREADS.getAllThreadIds()) {
                long ns = THREADS.getThreadCpuTime(id);
                if (ns >= 0) {
                    cpu.put(id, ns);
                }
            }
            return cpu;
        }

        Used used() {
            Map<String, Long> byName = new java.util.HashMap<>();
            for (Map.Entry<Long, Long> e : cpuById().entrySet()) {
                var info = THREADS.getThreadInfo(e.getKey());
                if (info != null) {
                    long delta = e.getValue() - start.getOrDefault(e.getKey(), 0L);
                    byName.merge(info.getThreadName(), delta, Long::sum);
                }
            }
            return new Used(byName);
        }

        record Used(Map<String, Long> byName) {
            double seconds(String thread) {
                return byName.getOrDefault(thread, 0L) / 1e9;
            }

            double total() {
                return byName.values().stream().mapToLong(Long::longValue).sum() / 1e9;
            }
        }
    }

    private static Map<String, String> producerConfig(String[] args) {
        Map<String, String> config = new java.util.TreeMap<>();
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--producer")) {
                String[] kv = args[i + 1].split("=", 2);
                if (kv.length != 2) {
                    throw new IllegalArgumentException("--producer takes KEY=VALUE, got " + args[i + 1]);
                }
                config.put(kv[0], kv[1]);
            }
        }
        if (!config.isEmpty()) {
            System.out.println("producer settings on top of the agent's: " + config);
        }
        return config;
    }

    private static String loadAverage() {
        try {
            return String.join(" ", java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ", 4)[0],
                    "(1 min)");
        } catch (java.io.IOException e) {
            return "unknown";
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
