package io.tapflow.flink.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapflow.localstack.kafka.KafkaBroker;
import io.tapflow.localstack.registry.SchemaRegistryServer;
import io.tapflow.schema.registry.SchemaNotFoundException;
import io.tapflow.schema.registry.SchemaRegistryClient;
import io.tapflow.schema.registry.SchemaRegistryClientConfig;
import io.tapflow.schema.serde.AvroDeserializer;
import io.tapflow.schema.serde.AvroSerializer;
import io.tapflow.schema.serde.UnknownMagicByteException;
import io.tapflow.schema.serde.WireFormat;
import io.tapflow.schema.testing.Greeting;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.InstantiationUtil;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Flink adapters against a real registry and broker: directly, and inside a Kafka→Kafka job on a local MiniCluster. */
class RegistryAvroSchemasITCase {

    private static KafkaBroker broker;
    private static SchemaRegistryServer registry;
    private static Map<String, String> config;

    @BeforeAll
    static void start() {
        broker = KafkaBroker.shared();
        registry = SchemaRegistryServer.start(broker.bootstrapServers(), 0, "_schemas_flink_itcase");
        config = Map.of(SchemaRegistryClientConfig.URL, registry.url());
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void adaptersRoundTripAfterJavaSerialization() throws Exception {
        // what Flink does: serialize the schemas into the job graph, deserialize on a task manager, then open()
        SerializationSchema<Greeting> writer = InstantiationUtil.clone(
                RegistryAvroSerializationSchema.<Greeting>forValue("flink.direct", config));
        DeserializationSchema<Greeting> reader = InstantiationUtil.clone(
                RegistryAvroDeserializationSchema.forSpecific(Greeting.class, "flink.direct", config));
        assertThatThrownBy(() -> reader.deserialize(new byte[5])).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("before open()");
        writer.open(serializationContext());
        reader.open(deserializationContext());

        byte[] bytes = writer.serialize(new Greeting("ada", 7));
        int id = WireFormat.schemaId("flink.direct", bytes);

        assertThat(SchemaRegistryClient.builder(registry.url()).build().getLatest("flink.direct-value").id())
                .isEqualTo(id);
        assertThat(reader.deserialize(bytes)).isEqualTo(new Greeting("ada", 7));
        assertThat(reader.getProducedType()).isEqualTo(AvroSpecificTypeInfo.forRecord(Greeting.class));
        assertThat(writer.serialize(null)).isNull();
        assertThat(reader.deserialize(null)).isNull();
        assertThatThrownBy(() -> reader.deserialize("not avro".getBytes()))
                .isInstanceOf(UnknownMagicByteException.class).hasMessageContaining("topic flink.direct");
        assertThatThrownBy(() -> reader.deserialize(WireFormat.encode(424_242, new byte[] {2})))
                .isInstanceOf(SchemaNotFoundException.class).hasMessageContaining("topic flink.direct");
    }

    @Test
    void genericReaderWithOlderReaderSchemaReadsNewerRecords() throws Exception {
        Schema v2 = resource("/evolution/greeting-v2.avsc");
        GenericRecord newer = new GenericData.Record(v2);
        newer.put("name", "grace");
        newer.put("count", 3);
        newer.put("language", "en");
        byte[] bytes = new AvroSerializer<>(SchemaRegistryClient.builder(registry.url()).build())
                .serialize("flink.generic", newer);

        RegistryAvroDeserializationSchema<GenericRecord> reader = InstantiationUtil.clone(
                RegistryAvroDeserializationSchema.forGeneric(Greeting.getClassSchema(), "flink.generic", config,
                        new GenericTypeInfo<>(GenericRecord.class)));
        reader.open(deserializationContext());

        GenericRecord read = reader.deserialize(bytes);
        assertThat(read.getSchema()).isEqualTo(Greeting.getClassSchema());
        assertThat(read.get("name")).hasToString("grace");
        assertThat(read.get("count")).isEqualTo(3);
    }

    @Test
    void miniClusterJobReadsAndWritesThroughTheRegistry() throws Exception {
        String in = "flink.job.in";
        String out = "flink.job.out";
        broker.createTopic(in, 1);
        broker.createTopic(out, 1);
        try (KafkaProducer<String, Greeting> producer = new KafkaProducer<>(broker.clientProperties(),
                new StringSerializer(), new AvroSerializer<>(SchemaRegistryClient.builder(registry.url()).build()))) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(in, "k" + i, new Greeting("n" + i, i))).get(30, TimeUnit.SECONDS);
            }
        }

        // a local environment runs the job on its own MiniCluster; MiniClusterExtension would need JUnit 4's
        // ExternalResource, which this module's pom excludes
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1);
        KafkaSource<Greeting> source = KafkaSource.<Greeting>builder()
                .setBootstrapServers(broker.bootstrapServers())
                .setTopics(in)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setBounded(OffsetsInitializer.latest())
                .setValueOnlyDeserializer(RegistryAvroDeserializationSchema.forSpecific(Greeting.class, in, config))
                .build();
        KafkaSink<Greeting> sink = KafkaSink.<Greeting>builder()
                .setBootstrapServers(broker.bootstrapServers())
                .setRecordSerializer(KafkaRecordSerializationSchema.<Greeting>builder()
                        .setTopic(out)
                        .setValueSerializationSchema(RegistryAvroSerializationSchema.<Greeting>forValue(out, config))
                        .build())
                .build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "greetings-in")
                .map(g -> new Greeting(g.getName().toUpperCase(), g.getCount() * 10),
                        new GenericTypeInfo<>(Greeting.class))
                .sinkTo(sink);
        env.execute("registry-serde-itcase");

        List<Greeting> results = new ArrayList<>();
        Properties props = broker.clientProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "flink-itcase");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, Greeting> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new AvroDeserializer<>(SchemaRegistryClient.builder(registry.url()).build(), Greeting.class))) {
            consumer.subscribe(List.of(out));
            long deadline = System.nanoTime() + KafkaBroker.clientTimeout().toNanos();
            while (results.size() < 5 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, Greeting> r : consumer.poll(Duration.ofMillis(200))) {
                    results.add(r.value());
                }
            }
        }
        assertThat(results).containsExactly(new Greeting("N0", 0), new Greeting("N1", 10), new Greeting("N2", 20),
                new Greeting("N3", 30), new Greeting("N4", 40));
        assertThat(SchemaRegistryClient.builder(registry.url()).build().getLatest(out + "-value").schema())
                .isEqualTo(Greeting.getClassSchema());
    }

    private static Schema resource(String path) throws IOException {
        try (InputStream stream = RegistryAvroSchemasITCase.class.getResourceAsStream(path)) {
            return new Schema.Parser().parse(stream);
        }
    }

    private static SerializationSchema.InitializationContext serializationContext() {
        return new SerializationSchema.InitializationContext() {
            @Override
            public org.apache.flink.metrics.MetricGroup getMetricGroup() {
                return new UnregisteredMetricsGroup();
            }

            @Override
            public UserCodeClassLoader getUserCodeClassLoader() {
                return SimpleUserCodeClassLoader.create(RegistryAvroSchemasITCase.class.getClassLoader());
            }
        };
    }

    private static DeserializationSchema.InitializationContext deserializationContext() {
        return new DeserializationSchema.InitializationContext() {
            @Override
            public org.apache.flink.metrics.MetricGroup getMetricGroup() {
                return new UnregisteredMetricsGroup();
            }

            @Override
            public UserCodeClassLoader getUserCodeClassLoader() {
                return SimpleUserCodeClassLoader.create(RegistryAvroSchemasITCase.class.getClassLoader());
            }
        };
    }
}
