import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Java kafka-clients side of captures/kafka.sh (run as a single-file source program): produces three records
 * with a traceparent header, then joins a consumer group, reads them back and commits. Exercises the flexible
 * request versions a Kafka 4.x client sends (Produce v13, Fetch v17, JoinGroup, SyncGroup, OffsetCommit…).
 */
public final class KafkaJavaClient {

    public static void main(String[] args) {
        String bootstrap = args[0];
        String topic = args[1];
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("client.id", "tapflow-java-producer");
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        p.put("enable.metrics.push", "false");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < 3; i++) {
                ProducerRecord<String, String> r = new ProducerRecord<>(topic, "k" + i, "java-value-" + i);
                r.headers().add("traceparent",
                        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".getBytes());
                producer.send(r);
            }
            producer.flush();
        }
        Properties c = new Properties();
        c.put("bootstrap.servers", bootstrap);
        c.put("client.id", "tapflow-java-consumer");
        c.put("group.id", "tapflow-java-group");
        c.put("auto.offset.reset", "earliest");
        c.put("enable.auto.commit", "false");
        c.put("enable.metrics.push", "false");
        c.put("key.deserializer", StringDeserializer.class.getName());
        c.put("value.deserializer", StringDeserializer.class.getName());
        int seen = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 30_000;
            while (seen < 3 && System.currentTimeMillis() < deadline) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
                seen += records.count();
            }
            consumer.commitSync();
        }
        System.out.println("java client consumed " + seen + " records");
    }
}
