package io.tapflow.localstack.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.localstack.kafka.KafkaBroker;
import io.tapflow.localstack.registry.SchemaRegistryServer;
import io.tapflow.schema.ProcessInfo;
import io.tapflow.schema.RawEventFixtures;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import io.tapflow.schema.registry.SchemaRegistryClient;
import io.tapflow.schema.registry.SchemaRegistryClientConfig;
import io.tapflow.schema.serde.AvroSerializer;
import io.tapflow.schema.topic.Topic;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every raw contract through the real path a collector and a job take: our serializer registers the schema with
 * the registry and produces to a real broker; a consumer in another JVM (plain KafkaConsumer + our deserializer,
 * {@link RawEventsDump}) reads them back; every field must equal what was sent.
 */
class RawEventsRoundTripITCase {

    private static KafkaBroker broker;
    private static SchemaRegistryServer registry;

    @BeforeAll
    static void start() {
        broker = KafkaBroker.shared();
        registry = SchemaRegistryServer.start(broker.bootstrapServers(), 0, "_schemas_raw_events_itcase");
        broker.createTopic(Topic.RAW_SOCKET_DATA.topicName(), 3);
        broker.createTopic(Topic.RAW_TCP_EVENTS.topicName(), 3);
        broker.createTopic(Topic.RAW_PROCESS.topicName(), 1, Map.of("cleanup.policy", "compact"));
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void everyRawSchemaRoundTripsFieldForFieldToAConsumerInAnotherJvm() throws Exception {
        SocketDataEvent ipv4 = RawEventFixtures.socketDataEventIpv4();
        SocketDataEvent ipv6 = RawEventFixtures.socketDataEventIpv6();
        TcpEvent tcp = RawEventFixtures.tcpEvent();
        ProcessInfo process = RawEventFixtures.processInfo();

        Properties props = broker.clientProperties();
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroSerializer.class.getName());
        props.put(SchemaRegistryClientConfig.URL, registry.url());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<Long, SpecificRecord> bySocket = producer(props, LongSerializer.class);
                KafkaProducer<String, SpecificRecord> byName = producer(props, StringSerializer.class)) {
            bySocket.send(new ProducerRecord<>(Topic.RAW_SOCKET_DATA.topicName(), ipv4.getSocketId(), ipv4)).get();
            bySocket.send(new ProducerRecord<>(Topic.RAW_SOCKET_DATA.topicName(), ipv6.getSocketId(), ipv6)).get();
            bySocket.send(new ProducerRecord<>(Topic.RAW_TCP_EVENTS.topicName(), tcp.getSocketId(), tcp)).get();
            String processKey = process.getAgentId() + "/" + process.getPid() + "/" + process.getStartTimeNs();
            byName.send(new ProducerRecord<>(Topic.RAW_PROCESS.topicName(), processKey, process)).get();
        }

        try (SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).build()) {
            assertThat(client.subjects()).contains(Topic.RAW_SOCKET_DATA.valueSubject(),
                    Topic.RAW_TCP_EVENTS.valueSubject(), Topic.RAW_PROCESS.valueSubject());
        }

        List<String[]> lines = dumpInAnotherJvm(
                Topic.RAW_SOCKET_DATA + ":2", Topic.RAW_TCP_EVENTS + ":1", Topic.RAW_PROCESS + ":1");

        assertThat(lines).extracting(l -> l[0]).containsExactly(
                "RAW_SOCKET_DATA", "RAW_SOCKET_DATA", "RAW_TCP_EVENTS", "RAW_PROCESS");
        List<SocketDataEvent> socketEvents = new ArrayList<>();
        socketEvents.add(decode(lines.get(0)[1], SocketDataEvent.class));
        socketEvents.add(decode(lines.get(1)[1], SocketDataEvent.class));
        // both fixtures share a socket id, so one partition holds them in send order
        assertSameFields(socketEvents.get(0), ipv4);
        assertSameFields(socketEvents.get(1), ipv6);
        assertSameFields(decode(lines.get(2)[1], TcpEvent.class), tcp);
        assertSameFields(decode(lines.get(3)[1], ProcessInfo.class), process);
    }

    private static <K> KafkaProducer<K, SpecificRecord> producer(Properties base, Class<?> keySerializer) {
        Properties props = new Properties();
        props.putAll(base);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, keySerializer.getName());
        return new KafkaProducer<>(props);
    }

    private static List<String[]> dumpInAnotherJvm(String... topicCounts) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(Path.of("target", "raw-events-roundtrip"));
        Path out = dir.resolve("dump.tsv");
        Path log = dir.resolve("consumer-jvm.log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", testClassPath(),
                RawEventsDump.class.getName(),
                broker.bootstrapServers(), registry.url(), out.toString()));
        command.addAll(List.of(topicCounts));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean exited = process.waitFor(120, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        assertThat(exited).as("consumer JVM finished; its log: %s", log.toAbsolutePath()).isTrue();
        assertThat(process.exitValue()).as("consumer JVM exit code; log:%n%s", Files.readString(log)).isZero();
        List<String[]> lines = new ArrayList<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            lines.add(line.split("\t", 2));
        }
        return lines;
    }

    /** Surefire/failsafe put the real test class path here; java.class.path may be a manifest-only jar. */
    private static String testClassPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    private static <T extends SpecificRecord> T decode(String json, Class<T> type) throws IOException {
        Schema schema = org.apache.avro.specific.SpecificData.get().getSchema(type);
        return new SpecificDatumReader<>(type).read(null, DecoderFactory.get().jsonDecoder(schema, json));
    }

    private static void assertSameFields(SpecificRecord actual, SpecificRecord expected) {
        assertThat(actual.getSchema()).isEqualTo(expected.getSchema());
        for (Schema.Field field : expected.getSchema().getFields()) {
            assertThat(actual.get(field.pos())).as(expected.getSchema().getName() + "." + field.name())
                    .isEqualTo(expected.get(field.pos()));
        }
        assertThat(actual).isEqualTo(expected);
    }
}
