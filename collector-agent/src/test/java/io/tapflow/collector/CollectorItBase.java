package io.tapflow.collector;

import io.tapflow.collector.pcap.PcapReplaySource;
import io.tapflow.collector.pcap.ReplayOptions;
import io.tapflow.collector.source.AgentIdentity;
import io.tapflow.collector.source.CaptureFilter;
import io.tapflow.collector.source.RawEventSink;
import io.tapflow.collector.source.RawEventSource;
import io.tapflow.localstack.kafka.KafkaBroker;
import io.tapflow.localstack.registry.SchemaRegistryServer;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import io.tapflow.schema.registry.SchemaRegistryClient;
import io.tapflow.schema.serde.AvroDeserializer;
import io.tapflow.schema.topic.Topic;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Real broker and schema registry for the collector's ITCases, plus helpers to run the agent and read topics. */
abstract class CollectorItBase {

    static final AgentIdentity IDENTITY = new AgentIdentity("it-agent", "it-host");

    static Path capture(String name) {
        try {
            return Path.of(CollectorItBase.class.getResource("/captures/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static void createRawTopics(KafkaBroker broker) {
        broker.createTopic(Topic.RAW_SOCKET_DATA.topicName(), 4);
        broker.createTopic(Topic.RAW_TCP_EVENTS.topicName(), 4);
        broker.createTopic(Topic.RAW_PROCESS.topicName(), 1, Map.of("cleanup.policy", "compact"));
    }

    /** A record as read back: key bytes, value, partition. */
    record Read<T>(byte[] key, T value, int partition, long offset) {}

    /** Reads {@code topic} from the beginning until no record came for {@code idle}. */
    static <T extends SpecificRecord> List<Read<T>> readAll(String bootstrap, SchemaRegistryServer registry,
                                                             String topic, Class<T> type, Duration idle) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        List<Read<T>> records = new ArrayList<>();
        try (SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).build();
             AvroDeserializer<T> values = new AvroDeserializer<>(client, type);
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                     new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long lastRecord = System.nanoTime();
            while (System.nanoTime() - lastRecord < idle.toNanos()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    records.add(new Read<>(r.key(), values.deserialize(topic, r.value()), r.partition(), r.offset()));
                    lastRecord = System.nanoTime();
                }
            }
        }
        return records;
    }

    /** What a replay of {@code file} emits, straight from the source (no Kafka). */
    static List<SocketDataEvent> replayDirectly(Path file, CaptureFilter filter, ReplayOptions options,
                                                List<TcpEvent> tcpOut) throws IOException {
        List<SocketDataEvent> data = new ArrayList<>();
        try (PcapReplaySource source = PcapReplaySource.open(file, IDENTITY, filter, options)) {
            RawEventSink sink = new RawEventSink() {
                @Override
                public void onSocketData(SocketDataEvent event) {
                    data.add(event);
                }

                @Override
                public void onTcpEvent(TcpEvent event) {
                    tcpOut.add(event);
                }
            };
            while (source.poll(sink, Duration.ofSeconds(1)) != RawEventSource.END_OF_INPUT) {
                // drain
            }
        }
        return data;
    }

    /** Runs CollectorMain in this JVM with captured stdout/stderr. */
    static final class InProcessAgent {
        final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        final CollectorMain main = new CollectorMain(new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8));

        int run(String... args) {
            return main.run(args);
        }

        String out() {
            return stdout.toString(StandardCharsets.UTF_8);
        }

        String err() {
            return stderr.toString(StandardCharsets.UTF_8);
        }
    }
}
