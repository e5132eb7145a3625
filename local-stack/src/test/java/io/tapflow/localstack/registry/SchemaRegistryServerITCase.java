package io.tapflow.localstack.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tapflow.localstack.kafka.KafkaBroker;
import io.tapflow.schema.registry.CompatibilityResult;
import io.tapflow.schema.registry.IncompatibleSchemaException;
import io.tapflow.schema.registry.RegisteredSchema;
import io.tapflow.schema.registry.SchemaNotFoundException;
import io.tapflow.schema.registry.SchemaRegistryClient;
import io.tapflow.schema.registry.SubjectNotFoundException;
import io.tapflow.schema.registry.VersionNotFoundException;
import io.tapflow.schema.serde.AvroDeserializer;
import io.tapflow.schema.serde.AvroSerializer;
import io.tapflow.schema.serde.TruncatedMessageException;
import io.tapflow.schema.testing.Greeting;
import java.net.http.HttpResponse;
import java.util.Arrays;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** Our client against our server, over real HTTP, with state in a real Kafka broker. */
class SchemaRegistryServerITCase extends RegistryTestBase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static KafkaBroker broker;
    private static SchemaRegistryServer server;

    private SchemaRegistryClient client;
    private String subject;

    @BeforeAll
    static void startRegistry() {
        broker = KafkaBroker.shared();
        server = SchemaRegistryServer.start(broker.bootstrapServers(), 0, "_schemas_server_itcase");
    }

    @AfterAll
    static void stopRegistry() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void newClient(TestInfo test) {
        client = SchemaRegistryClient.builder(server.url()).build();
        subject = test.getTestMethod().orElseThrow().getName() + "-value";
    }

    @AfterEach
    void closeClient() {
        client.close();
    }

    @Test
    void registerIsIdempotentAndLookupsFindTheSchema() {
        int id = client.register(subject, GREETING_V1);

        SchemaRegistryClient fresh = SchemaRegistryClient.builder(server.url()).build();
        assertThat(fresh.register(subject, GREETING_V1)).as("registering again").isEqualTo(id);
        assertThat(fresh.getById(id)).isEqualTo(GREETING_V1);
        assertThat(fresh.getLatest(subject)).isEqualTo(new RegisteredSchema(subject, 1, id, GREETING_V1));
        assertThat(fresh.getVersion(subject, 1).id()).isEqualTo(id);
        assertThat(fresh.lookup(subject, GREETING_V1).version()).isEqualTo(1);
        assertThat(fresh.subjects()).contains(subject);

        // the same schema under another subject keeps its global id but starts at version 1 there
        String other = "other-" + subject;
        assertThat(fresh.register(other, GREETING_V1)).isEqualTo(id);
        assertThat(fresh.getLatest(other).version()).isEqualTo(1);

        HttpResponse<String> versions = http("GET", server.url() + "/subjects/" + subject + "/versions", null);
        assertThat(versions.statusCode()).isEqualTo(200);
        assertThat(versions.headers().firstValue("Content-Type")).hasValue("application/vnd.schemaregistry.v1+json");
        assertThat(versions.body()).isEqualTo("[1]");
        HttpResponse<String> byId = http("GET", server.url() + "/schemas/ids/" + id, null);
        assertThat(byId.body()).isEqualTo(JSON.createObjectNode().put("schema", GREETING_V1.toString()).toString());
    }

    @Test
    void unknownIdsSubjectsAndVersionsAreTypedErrors() {
        assertThatThrownBy(() -> client.getById(987_654))
                .isInstanceOfSatisfying(SchemaNotFoundException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.errorCode()).isEqualTo(40403);
                    assertThat(e.registryMessage()).isEqualTo("Schema 987654 not found.");
                })
                .hasMessageContaining(server.url() + "/schemas/ids/987654");
        assertThatThrownBy(() -> client.getLatest("no-such-subject"))
                .isInstanceOfSatisfying(SubjectNotFoundException.class,
                        e -> assertThat(e.registryMessage()).isEqualTo("Subject 'no-such-subject' not found."));
        client.register(subject, GREETING_V1);
        assertThatThrownBy(() -> client.getVersion(subject, 7))
                .isInstanceOfSatisfying(VersionNotFoundException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(40402));
        assertThatThrownBy(() -> client.lookup(subject, GREETING_V2))
                .isInstanceOf(SchemaNotFoundException.class);
    }

    @Test
    void incompatibleChangeIsRejectedWith409InConfluentShape() throws Exception {
        client.register(subject, GREETING_V1);

        HttpResponse<String> raw = http("POST", server.url() + "/subjects/" + subject + "/versions",
                schemaRequest(GREETING_REQUIRED_FIELD));

        assertThat(raw.statusCode()).isEqualTo(409);
        JsonNode error = JSON.readTree(raw.body());
        assertThat(error.fieldNames()).toIterable().containsExactly("error_code", "message");
        assertThat(error.get("error_code").asInt()).isEqualTo(409);
        assertThat(error.get("message").asText())
                .startsWith("Schema being registered is incompatible with an earlier schema for subject \""
                        + subject + "\"")
                .contains("READER_FIELD_MISSING_DEFAULT").contains("mood");

        assertThatThrownBy(() -> client.register(subject, GREETING_REQUIRED_FIELD))
                .isInstanceOfSatisfying(IncompatibleSchemaException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.registryMessage()).isEqualTo(error.get("message").asText());
                });
        CompatibilityResult verdict = client.testCompatibility(subject, GREETING_REQUIRED_FIELD);
        assertThat(verdict.compatible()).isFalse();
        assertThat(verdict.messages()).singleElement().asString().contains("mood");
        assertThat(client.getLatest(subject).version()).as("nothing was registered").isEqualTo(1);
    }

    @Test
    void compatibleChangeGetsANewVersionAndOldReadersStillDecode() {
        String topic = subject.substring(0, subject.length() - "-value".length());
        AvroSerializer<Object> serializer = new AvroSerializer<>(client);
        byte[] v1Bytes = serializer.serialize(topic, new Greeting("ada", 1));
        assertThat(client.testCompatibility(subject, GREETING_V2).compatible()).isTrue();
        byte[] v2Bytes = serializer.serialize(topic, greetingV2("grace", 2, "en"));

        RegisteredSchema latest = client.getLatest(subject);
        assertThat(latest.version()).isEqualTo(2);
        assertThat(latest.schema()).isEqualTo(GREETING_V2);
        assertThat(latest.id()).isNotEqualTo(client.getVersion(subject, 1).id());

        // a consumer compiled against v1 reads v2 records (the extra field is dropped)...
        AvroDeserializer<Greeting> oldReader = new AvroDeserializer<>(
                SchemaRegistryClient.builder(server.url()).build(), Greeting.class);
        assertThat(oldReader.deserialize(topic, v2Bytes)).isEqualTo(new Greeting("grace", 2));
        assertThat(oldReader.deserialize(topic, v1Bytes)).isEqualTo(new Greeting("ada", 1));
        // ...and a v2 generic reader sees the v1 record with the default filled in
        AvroDeserializer<GenericRecord> newReader = new AvroDeserializer<>(client, GREETING_V2);
        GenericRecord upgraded = newReader.deserialize(topic, v1Bytes);
        assertThat(upgraded.get("name")).hasToString("ada");
        assertThat(upgraded.get("language")).isNull();
        assertThat(newReader.deserialize(topic, v2Bytes).get("language")).hasToString("en");

        // a body cut short is reported as truncated, not as garbage
        byte[] cut = Arrays.copyOf(v2Bytes, v2Bytes.length - 3);
        assertThatThrownBy(() -> oldReader.deserialize(topic, cut))
                .isInstanceOf(TruncatedMessageException.class)
                .hasMessageContaining("topic " + topic)
                .hasMessageContaining("schema id " + latest.id());
    }

    @Test
    void compatibilityIsConfigurableGloballyAndPerSubject() throws Exception {
        HttpResponse<String> global = http("GET", server.url() + "/config", null);
        assertThat(JSON.readTree(global.body()).get("compatibilityLevel").asText()).isEqualTo("BACKWARD");

        HttpResponse<String> unset = http("GET", server.url() + "/config/" + subject, null);
        assertThat(unset.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unset.body()).get("error_code").asInt()).isEqualTo(40408);
        assertThat(JSON.readTree(http("GET", server.url() + "/config/" + subject + "?defaultToGlobal=true", null)
                .body()).get("compatibilityLevel").asText()).isEqualTo("BACKWARD");

        HttpResponse<String> put = http("PUT", server.url() + "/config/" + subject, "{\"compatibility\":\"none\"}");
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(put.body()).isEqualTo("{\"compatibility\":\"NONE\"}");
        assertThat(JSON.readTree(http("GET", server.url() + "/config/" + subject, null).body())
                .get("compatibilityLevel").asText()).isEqualTo("NONE");

        client.register(subject, GREETING_V1);
        assertThat(client.register(subject, GREETING_REQUIRED_FIELD)).as("NONE accepts anything").isPositive();
        assertThat(client.getLatest(subject).version()).isEqualTo(2);

        HttpResponse<String> bad = http("PUT", server.url() + "/config", "{\"compatibility\":\"SIDEWAYS\"}");
        assertThat(bad.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(bad.body()).get("error_code").asInt()).isEqualTo(42203);
        assertThat(JSON.readTree(http("GET", server.url() + "/config", null).body())
                .get("compatibilityLevel").asText()).as("global level unchanged").isEqualTo("BACKWARD");
    }

    @Test
    void invalidSchemaIs42201() {
        HttpResponse<String> raw = http("POST", server.url() + "/subjects/" + subject + "/versions",
                "{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"X\\\"}\"}");
        assertThat(raw.statusCode()).isEqualTo(422);
        assertThat(raw.body()).contains("\"error_code\":42201");

        assertThat(raw.body()).contains("Invalid schema");
        assertThat(http("GET", server.url() + "/no/such/route", null).statusCode()).isEqualTo(404);
        assertThatThrownBy(() -> client.getLatest(subject)).as("nothing registered")
                .isInstanceOf(SubjectNotFoundException.class);
    }
}
