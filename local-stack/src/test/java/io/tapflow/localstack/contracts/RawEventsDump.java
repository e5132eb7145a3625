package io.tapflow.localstack.contracts;

import io.tapflow.schema.registry.SchemaRegistryClientConfig;
import io.tapflow.schema.serde.AvroDeserializer;
import io.tapflow.schema.serde.AvroSerdeConfig;
import io.tapflow.schema.topic.Topic;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A consumer in its own JVM: a plain KafkaConsumer with our AvroDeserializer configured the Kafka way, sharing no
 * cache or state with the producer. Writes every record it reads as one line {@code <topic>\t<avro json>}.
 *
 * <p>Args: {@code bootstrap registryUrl outFile TOPIC:count...} — reads each topic until {@code count} records
 * arrived or 60 s passed.
 */
public final class RawEventsDump {

    public static void main(String[] args) throws IOException {
        String bootstrap = args[0];
        String registryUrl = args[1];
        Path out = Path.of(args[2]);
        int read = 0;
        try (PrintWriter writer = new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8))) {
            for (int i = 3; i < args.length; i++) {
                Topic topic = Topic.valueOf(args[i].substring(0, args[i].indexOf(':')));
                int expected = Integer.parseInt(args[i].substring(args[i].indexOf(':') + 1));
                try (KafkaConsumer<byte[], SpecificRecord> consumer = consumer(bootstrap, registryUrl, topic)) {
                    consumer.subscribe(java.util.List.of(topic.topicName()));
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    int before = read;
                    while (System.nanoTime() < deadline && read - before < expected) {
                        for (ConsumerRecord<byte[], SpecificRecord> record : consumer.poll(Duration.ofMillis(200))) {
                            writer.println(topic.name() + "\t" + toJson(record.value()));
                            read++;
                        }
                    }
                }
            }
        }
        System.out.println("read " + read + " records");
    }

    private static KafkaConsumer<byte[], SpecificRecord> consumer(String bootstrap, String registryUrl, Topic topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "raw-events-dump");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroDeserializer.class.getName());
        props.put(SchemaRegistryClientConfig.URL, registryUrl);
        props.put(AvroSerdeConfig.SPECIFIC_AVRO_READER, "true");
        props.put(AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE, topic.valueType().getName());
        return new KafkaConsumer<>(props);
    }

    @SuppressWarnings("unchecked")
    private static String toJson(SpecificRecord record) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        JsonEncoder encoder = EncoderFactory.get().jsonEncoder(record.getSchema(), bytes);
        new SpecificDatumWriter<SpecificRecord>((Class<SpecificRecord>) record.getClass()).write(record, encoder);
        encoder.flush();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private RawEventsDump() {
    }
}
