package io.tapflow.schema.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tapflow.schema.retry.RetryPolicy;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small client for the Confluent Schema Registry REST API (also spoken by Redpanda, Karapace and Apicurio's
 * ccompat API). Thread-safe. Registrations and lookups by id are cached for the life of the client (ids are
 * immutable in the registry); "latest" lookups and compatibility checks always go to the registry.
 *
 * <p>Connection errors and 5xx responses are retried with bounded exponential backoff ({@link RetryPolicy});
 * once the attempts are used up a {@link RegistryUnreachableException} names the URL and the attempt count.
 * Every other error is a {@link RegistryHttpException} subtype; no method returns null.
 */
public final class SchemaRegistryClient implements AutoCloseable {

    /** Confluent's content type; servers also accept plain application/json. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final String authorization;
    private final Duration timeout;
    private final RetryPolicy retry;
    private final HttpClient http;

    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();

    private SchemaRegistryClient(Builder builder) {
        URI uri = URI.create(builder.url.trim());
        if (uri.getScheme() == null || uri.getHost() == null) {
            throw new IllegalArgumentException("schema registry url must look like http://host:port, was '"
                    + redact(builder.url) + "'");
        }
        String userInfo = builder.userInfo != null ? builder.userInfo : uri.getRawUserInfo();
        this.authorization = userInfo == null || userInfo.isEmpty() ? null
                : "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
        String withoutUser = uri.getScheme() + "://" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "")
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
        this.baseUrl = withoutUser.endsWith("/") ? withoutUser.substring(0, withoutUser.length() - 1) : withoutUser;
        this.timeout = builder.timeout;
        this.retry = builder.retry;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    public static Builder builder(String url) {
        return new Builder(url);
    }

    /** A client configured from the keys in {@link SchemaRegistryClientConfig} (Kafka-style config map). */
    public static SchemaRegistryClient fromConfig(Map<String, ?> configs) {
        String url = SchemaRegistryClientConfig.string(configs, SchemaRegistryClientConfig.URL, null);
        if (url == null || url.isEmpty()) {
            throw new IllegalArgumentException(SchemaRegistryClientConfig.URL + " is required");
        }
        RetryPolicy retry = new RetryPolicy(
                (int) SchemaRegistryClientConfig.number(configs, SchemaRegistryClientConfig.RETRY_MAX_ATTEMPTS,
                        RetryPolicy.DEFAULT.maxAttempts()),
                Duration.ofMillis(SchemaRegistryClientConfig.number(configs,
                        SchemaRegistryClientConfig.RETRY_BACKOFF_MS, RetryPolicy.DEFAULT.initialBackoff().toMillis())),
                Duration.ofMillis(SchemaRegistryClientConfig.number(configs,
                        SchemaRegistryClientConfig.RETRY_BACKOFF_MAX_MS, RetryPolicy.DEFAULT.maxBackoff().toMillis())));
        return builder(url)
                .timeout(Duration.ofMillis(SchemaRegistryClientConfig.number(configs,
                        SchemaRegistryClientConfig.REQUEST_TIMEOUT_MS,
                        SchemaRegistryClientConfig.DEFAULT_TIMEOUT.toMillis())))
                .retry(retry)
                .basicAuth(SchemaRegistryClientConfig.string(configs,
                        SchemaRegistryClientConfig.BASIC_AUTH_USER_INFO, null))
                .build();
    }

    /** The registry's base URL, without any credentials. */
    public String url() {
        return baseUrl;
    }

    /**
     * Registers {@code schema} under {@code subject} and returns its global id. Registering the same schema again
     * returns the same id (served from the cache after the first call).
     */
    public int register(String subject, Schema schema) {
        Map<Schema, Integer> ids = idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        Integer cached = ids.get(schema);
        if (cached != null) {
            return cached;
        }
        JsonNode response = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema));
        int id = requiredInt(response, "id", "register");
        ids.put(schema, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    /**
     * Looks {@code schema} up under {@code subject} without registering it ({@code POST /subjects/{s}}).
     *
     * @throws SubjectNotFoundException if the subject does not exist
     * @throws SchemaNotFoundException if the subject exists but never had this schema
     */
    public RegisteredSchema lookup(String subject, Schema schema) {
        JsonNode response = send("POST", "/subjects/" + encode(subject), schemaBody(schema));
        RegisteredSchema found = registered(response, subject);
        idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>()).put(schema, found.id());
        schemasById.putIfAbsent(found.id(), found.schema());
        return found;
    }

    /**
     * The id of {@code schema} under {@code subject} without registering it: cached, else {@link #lookup}.
     * What a serializer with {@code auto.register.schemas=false} uses.
     */
    public int getId(String subject, Schema schema) {
        Integer cached = idsBySubject.getOrDefault(subject, Map.of()).get(schema);
        return cached != null ? cached : lookup(subject, schema).id();
    }

    /** The schema with this global id ({@code GET /schemas/ids/{id}}), cached forever once fetched. */
    public Schema getById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode response = send("GET", "/schemas/ids/" + id, null);
        Schema schema = parse(requiredText(response, "schema", "schema " + id));
        Schema raced = schemasById.putIfAbsent(id, schema);
        return raced != null ? raced : schema;
    }

    /** The newest version of {@code subject}; not cached, so a new version shows up at once. */
    public RegisteredSchema getLatest(String subject) {
        return getVersion(subject, "latest");
    }

    /** A specific version of {@code subject}. */
    public RegisteredSchema getVersion(String subject, int version) {
        return getVersion(subject, Integer.toString(version));
    }

    private RegisteredSchema getVersion(String subject, String version) {
        JsonNode response = send("GET", "/subjects/" + encode(subject) + "/versions/" + version, null);
        RegisteredSchema found = registered(response, subject);
        schemasById.putIfAbsent(found.id(), found.schema());
        return found;
    }

    /** All subjects the registry knows. */
    public List<String> subjects() {
        JsonNode response = send("GET", "/subjects", null);
        List<String> subjects = new ArrayList<>();
        response.forEach(n -> subjects.add(n.asText()));
        return subjects;
    }

    /**
     * Asks whether {@code schema} could be registered under {@code subject} given the subject's compatibility
     * level ({@code POST /compatibility/subjects/{s}/versions/latest?verbose=true}).
     */
    public CompatibilityResult testCompatibility(String subject, Schema schema) {
        JsonNode response = send("POST",
                "/compatibility/subjects/" + encode(subject) + "/versions/latest?verbose=true", schemaBody(schema));
        if (!response.has("is_compatible")) {
            throw new SchemaRegistryException("compatibility response from " + baseUrl
                    + " has no is_compatible field: " + response);
        }
        List<String> messages = new ArrayList<>();
        response.path("messages").forEach(n -> messages.add(n.asText()));
        return new CompatibilityResult(response.get("is_compatible").asBoolean(), messages);
    }

    @Override
    public void close() {
        schemasById.clear();
        idsBySubject.clear();
    }

    @Override
    public String toString() {
        return "SchemaRegistryClient{" + baseUrl + (authorization != null ? ", basic-auth" : "") + "}";
    }

    // ------------------------------------------------------------------------------------------------------------

    private JsonNode send(String method, String path, String body) {
        String url = baseUrl + path;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(timeout)
                .header("Accept", CONTENT_TYPE + ", application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (body != null) {
            request.header("Content-Type", CONTENT_TYPE)
                    .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpRequest built = request.build();

        String lastProblem = null;
        Exception lastException = null;
        for (int attempt = 1; ; attempt++) {
            try {
                HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    return JSON.readTree(response.body());
                }
                RegistryHttpException error = RegistryErrors.fromResponse(method, url, status, response.body());
                if (status < 500) {
                    throw error;
                }
                lastProblem = "HTTP " + status + ": " + error.registryMessage();
                lastException = error;
            } catch (IOException e) {
                lastProblem = e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "");
                lastException = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException("interrupted while calling " + method + " " + url, e);
            }
            if (attempt >= retry.maxAttempts()) {
                throw new RegistryUnreachableException(url, attempt, "schema registry unreachable: " + method + " "
                        + url + " failed after " + attempt + " attempt" + (attempt == 1 ? "" : "s")
                        + ", last error: " + lastProblem, lastException);
            }
            Duration pause = retry.backoffAfter(attempt);
            LOG.warn("{} {} failed (attempt {}/{}): {}; retrying in {} ms", method, url, attempt,
                    retry.maxAttempts(), lastProblem, pause.toMillis());
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException("interrupted while retrying " + method + " " + url, e);
            }
        }
    }

    private static String schemaBody(Schema schema) {
        ObjectNode body = JSON.createObjectNode();
        body.put("schema", schema.toString());
        return body.toString();
    }

    private RegisteredSchema registered(JsonNode response, String subject) {
        return new RegisteredSchema(
                response.path("subject").asText(subject),
                requiredInt(response, "version", "subject " + subject),
                requiredInt(response, "id", "subject " + subject),
                parse(requiredText(response, "schema", "subject " + subject)));
    }

    private int requiredInt(JsonNode response, String field, String what) {
        JsonNode value = response.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw new SchemaRegistryException("response from " + baseUrl + " for " + what + " has no integer '"
                    + field + "': " + response);
        }
        return value.asInt();
    }

    private String requiredText(JsonNode response, String field, String what) {
        JsonNode value = response.get(field);
        if (value == null || !value.isTextual()) {
            throw new SchemaRegistryException("response from " + baseUrl + " for " + what + " has no text '"
                    + field + "': " + response);
        }
        return value.asText();
    }

    private Schema parse(String schema) {
        try {
            return new Schema.Parser().parse(schema);
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException("registry " + baseUrl + " returned a schema Avro cannot parse: "
                    + e.getMessage(), e);
        }
    }

    private static String encode(String subject) {
        Objects.requireNonNull(subject, "subject");
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String redact(String url) {
        return url == null ? null : url.replaceAll("//[^/@]*@", "//***@");
    }

    /** Builds a {@link SchemaRegistryClient}. */
    public static final class Builder {
        private final String url;
        private String userInfo;
        private Duration timeout = SchemaRegistryClientConfig.DEFAULT_TIMEOUT;
        private RetryPolicy retry = RetryPolicy.DEFAULT;

        private Builder(String url) {
            this.url = Objects.requireNonNull(url, "url");
        }

        /** Per-request timeout, also used as the connect timeout. */
        public Builder timeout(Duration timeout) {
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("timeout must be positive, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        public Builder retry(RetryPolicy retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        /** {@code user:password} for HTTP basic auth; null for none. */
        public Builder basicAuth(String userInfo) {
            this.userInfo = userInfo;
            return this;
        }

        public Builder basicAuth(String user, String password) {
            return basicAuth(user + ":" + password);
        }

        public SchemaRegistryClient build() {
            return new SchemaRegistryClient(this);
        }
    }
}
