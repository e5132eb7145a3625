package io.tapflow.localstack.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapflow.localstack.kafka.KafkaBroker;
import io.tapflow.schema.registry.SchemaRegistryClient;
import io.tapflow.schema.registry.SchemaRegistryClientConfig;
import io.tapflow.schema.serde.AvroDeserializer;
import io.tapflow.schema.serde.AvroSerdeConfig;
import io.tapflow.schema.serde.AvroSerializer;
import io.tapflow.schema.serde.UnknownMagicByteException;
import io.tapflow.schema.testing.Greeting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The serde configured the Kafka way, through a real producer, broker and consumer. */
class AvroKafkaSerdeITCase extends RegistryTestBase {

    /** Longer than the serializer's reused buffer starts with, and not ASCII (2-byte and 4-byte UTF-8). */
    private static final String LONG_NAME = "ada lovelace ".repeat(200) + "é \uD83D\uDE00";

    private static KafkaBroker broker;
    private static SchemaRegistryServer registry;

    @BeforeAll
    static void start() {
        broker = KafkaBroker.shared();
        registry = SchemaRegistryServer.start(broker.bootstrapServers(), 0, "_schemas_serde_itcase");
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void specificRecordsAndTombstonesRoundTripThroughKafka() throws Exception {
        String topic = "greetings.specific";
        broker.createTopic(topic, 2);
        Properties producerProps = broker.clientProperties();
        producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroSerializer.class.getName());
        producerProps.put(SchemaRegistryClientConfig.URL, registry.url());
        try (KafkaProducer<String, Greeting> producer = new KafkaProducer<>(producerProps)) {
            producer.send(new ProducerRecord<>(topic, "a", new Greeting("ada", 1))).get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(topic, "b", new Greeting("grace", 2))).get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(topic, "a", null)).get(30, TimeUnit.SECONDS);
        }

        Properties consumerProps = consumerProps("specific");
        consumerProps.put(AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE, Greeting.class.getName());
        List<ConsumerRecord<String, Greeting>> records = consume(consumerProps, topic, 3);

        assertThat(records).extracting(ConsumerRecord::key, ConsumerRecord::value).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("a", new Greeting("ada", 1)),
                org.assertj.core.groups.Tuple.tuple("b", new Greeting("grace", 2)),
                org.assertj.core.groups.Tuple.tuple("a", null));
        SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).build();
        assertThat(client.getLatest(topic + "-value").schema()).isEqualTo(Greeting.getClassSchema());
    }

    @Test
    void newerWriterOlderSpecificReaderAndGenericReader() throws Exception {
        String topic = "greetings.evolving";
        broker.createTopic(topic, 1);
        SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).build();
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(broker.clientProperties(),
                new StringSerializer(), new AvroSerializer<>(client))) {
            producer.send(new ProducerRecord<>(topic, "1", new Greeting("ada", 1))).get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(topic, "2", greetingV2("grace", 2, "en"))).get(30, TimeUnit.SECONDS);
            // back to v1 on the same serializer, with a record larger than its reused buffer starts with
            producer.send(new ProducerRecord<>(topic, "3", new Greeting(LONG_NAME, 3))).get(30, TimeUnit.SECONDS);
        }
        assertThat(client.getLatest(topic + "-value").version()).isEqualTo(2);

        // specific.avro.reader=true: the class named like the writer schema (our v1 class) is the reader
        Properties specific = consumerProps("by-name");
        specific.put(AvroSerdeConfig.SPECIFIC_AVRO_READER, "true");
        assertThat(consume(specific, topic, 3)).extracting(ConsumerRecord::value)
                .containsExactly(new Greeting("ada", 1), new Greeting("grace", 2), new Greeting(LONG_NAME, 3));

        Properties generic = consumerProps("generic");
        List<ConsumerRecord<String, GenericRecord>> records = consume(generic, topic, 3);
        assertThat(records.get(0).value().getSchema()).isEqualTo(GREETING_V1);
        assertThat(records.get(1).value().getSchema()).isEqualTo(GREETING_V2);
        assertThat(records.get(2).value().getSchema()).isEqualTo(GREETING_V1);
        assertThat(records.get(1).value().get("language")).as("generic strings are Avro Utf8").hasToString("en");
    }

    @Test
    void aRecordNotInWireFormatFailsThePollWithTheTopicNamed() {
        String topic = "greetings.plain";
        broker.createTopic(topic, 1);
        Properties props = broker.clientProperties();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, "{\"name\":\"ada\"}".getBytes()));
            producer.flush();
        }
        try (KafkaConsumer<String, Greeting> consumer = new KafkaConsumer<>(consumerProps("plain"),
                new StringDeserializer(),
                new AvroDeserializer<>(SchemaRegistryClient.builder(registry.url()).build(), Greeting.class))) {
            consumer.subscribe(List.of(topic));
            assertThatThrownBy(() -> {
                long deadline = System.nanoTime() + KafkaBroker.clientTimeout().toNanos();
                while (System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200));
                }
            }).isInstanceOf(RecordDeserializationException.class)
                    .cause().isInstanceOf(UnknownMagicByteException.class)
                    .hasMessageContaining("topic " + topic)
                    .hasMessageContaining("0x7b");
        }
    }

    private Properties consumerProps(String group) {
        Properties props = broker.clientProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "serde-itcase-" + group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroDeserializer.class.getName());
        props.put(SchemaRegistryClientConfig.URL, registry.url());
        return props;
    }

    private static <V> List<ConsumerRecord<String, V>> consume(Properties props, String topic, int count) {
        List<ConsumerRecord<String, V>> records = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + KafkaBroker.clientTimeout().toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        assertThat(records).as("records consumed from " + topic).hasSize(count);
        return records;
    }
}
