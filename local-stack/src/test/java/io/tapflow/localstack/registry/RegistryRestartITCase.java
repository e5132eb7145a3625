package io.tapflow.localstack.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tapflow.localstack.kafka.KafkaBroker;
import io.tapflow.schema.registry.RegisteredSchema;
import io.tapflow.schema.registry.SchemaRegistryClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** A registry restarted against the same broker keeps every id, version and setting: `_schemas` is the truth. */
class RegistryRestartITCase extends RegistryTestBase {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void idsVersionsAndConfigSurviveARestart() throws Exception {
        KafkaBroker broker = KafkaBroker.shared();
        int greetingsV1;
        int greetingsV2;
        int othersV1;
        try (SchemaRegistryServer first = SchemaRegistryServer.start(broker.bootstrapServers())) {
            SchemaRegistryClient client = SchemaRegistryClient.builder(first.url()).build();
            greetingsV1 = client.register("greetings-value", GREETING_V1);
            greetingsV2 = client.register("greetings-value", GREETING_V2);
            othersV1 = client.register("others-value", GREETING_V2);
            assertThat(http("PUT", first.url() + "/config/others-value", "{\"compatibility\":\"FULL\"}")
                    .statusCode()).isEqualTo(200);
        }
        assertThat(othersV1).as("same schema, same global id").isEqualTo(greetingsV2);

        try (SchemaRegistryServer second = SchemaRegistryServer.start(broker.bootstrapServers())) {
            // a fresh client: nothing comes from a cache
            SchemaRegistryClient client = SchemaRegistryClient.builder(second.url()).build();
            assertThat(client.getVersion("greetings-value", 1))
                    .isEqualTo(new RegisteredSchema("greetings-value", 1, greetingsV1, GREETING_V1));
            assertThat(client.getVersion("greetings-value", 2))
                    .isEqualTo(new RegisteredSchema("greetings-value", 2, greetingsV2, GREETING_V2));
            assertThat(client.getLatest("others-value"))
                    .isEqualTo(new RegisteredSchema("others-value", 1, othersV1, GREETING_V2));
            assertThat(client.getById(greetingsV1)).isEqualTo(GREETING_V1);
            assertThat(client.register("greetings-value", GREETING_V1)).as("re-registering").isEqualTo(greetingsV1);
            assertThat(JSON.readTree(http("GET", second.url() + "/config/others-value", null).body())
                    .get("compatibilityLevel").asText()).isEqualTo("FULL");

            // new registrations continue after the replayed ids instead of reusing them
            int third = client.register("thirds-value", GREETING_REQUIRED_FIELD);
            assertThat(third).isGreaterThan(Math.max(greetingsV1, greetingsV2));
        }

        List<ConsumerRecord<String, String>> records = readAll(broker, SchemaRegistryServer.DEFAULT_TOPIC);
        JsonNode firstKey = JSON.readTree(records.get(0).key());
        JsonNode firstValue = JSON.readTree(records.get(0).value());
        assertThat(firstKey).isEqualTo(JSON.readTree(
                "{\"keytype\":\"SCHEMA\",\"subject\":\"greetings-value\",\"version\":1,\"magic\":1}"));
        assertThat(firstValue.get("subject").asText()).isEqualTo("greetings-value");
        assertThat(firstValue.get("version").asInt()).isEqualTo(1);
        assertThat(firstValue.get("id").asInt()).isEqualTo(greetingsV1);
        assertThat(firstValue.get("schema").asText()).isEqualTo(GREETING_V1.toString());
        assertThat(records).extracting(r -> JSON.readTree(r.key()).get("keytype").asText())
                .containsExactly("SCHEMA", "SCHEMA", "SCHEMA", "CONFIG", "SCHEMA");
        assertThat(JSON.readTree(records.get(3).value()).get("compatibilityLevel").asText()).isEqualTo("FULL");

        try (Admin admin = broker.admin()) {
            TopicDescription topic = admin.describeTopics(List.of(SchemaRegistryServer.DEFAULT_TOPIC))
                    .allTopicNames().get(30, TimeUnit.SECONDS).get(SchemaRegistryServer.DEFAULT_TOPIC);
            assertThat(topic.partitions()).hasSize(1);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, SchemaRegistryServer.DEFAULT_TOPIC);
            assertThat(admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource)
                    .get("cleanup.policy").value()).isEqualTo("compact");
        }
    }

    private static List<ConsumerRecord<String, String>> readAll(KafkaBroker broker, String topic) {
        Properties props = broker.clientProperties();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        TopicPartition partition = new TopicPartition(topic, 0);
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            long deadline = System.nanoTime() + KafkaBroker.clientTimeout().toNanos();
            while (consumer.position(partition) < end && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
