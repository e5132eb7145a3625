package io.tapflow.localstack.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/** Fixtures shared by the registry ITCases: the test schemas and a raw HTTP helper. */
abstract class RegistryTestBase {

    /** Version 1 of the test record; also the schema of the generated {@code Greeting} class. */
    static final Schema GREETING_V1 = io.tapflow.schema.testing.Greeting.getClassSchema();
    /** Version 2: adds an optional {@code language} (BACKWARD- and FORWARD-compatible). */
    static final Schema GREETING_V2 = resource("/evolution/greeting-v2.avsc");
    /** Adds a required field without default: not BACKWARD-compatible with v1. */
    static final Schema GREETING_REQUIRED_FIELD = new Schema.Parser().parse("""
            {"type":"record","name":"Greeting","namespace":"io.tapflow.schema.testing","fields":[
              {"name":"name","type":"string"},{"name":"count","type":"int"},{"name":"mood","type":"string"}]}""");

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static Schema resource(String path) {
        try (InputStream in = RegistryTestBase.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static GenericRecord greetingV2(String name, int count, String language) {
        GenericRecord record = new GenericData.Record(GREETING_V2);
        record.put("name", name);
        record.put("count", count);
        record.put("language", language);
        return record;
    }

    /** A raw HTTP call, to check exactly what the server puts on the wire. */
    static HttpResponse<String> http(String method, String url, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code {"schema": "<schema as a JSON string>"}}, the body of register and compatibility requests. */
    static String schemaRequest(Schema schema) {
        return new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                .put("schema", schema.toString()).toString();
    }
}
