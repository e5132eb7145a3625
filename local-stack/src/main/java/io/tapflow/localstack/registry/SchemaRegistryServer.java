package io.tapflow.localstack.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schema registry speaking the Confluent REST API (the subset clients use: register, lookup, fetch by id,
 * subjects and versions, compatibility checks, compatibility config) for Avro schemas, on the JDK's HTTP server.
 *
 * <p>State lives in a compacted Kafka topic ({@code _schemas} by default) in Confluent's key/value JSON layout.
 * Every write is produced and acknowledged before it is applied and answered; on start the topic is read to its end
 * before the port opens, so a restarted server keeps every id and version. One server per topic: there is no
 * leader election, so two servers writing the same topic would hand out clashing ids.
 */
public final class SchemaRegistryServer implements AutoCloseable {

    public static final String DEFAULT_TOPIC = "_schemas";
    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(10);

    private final SchemaStore store = new SchemaStore();
    private final Object writeLock = new Object();
    private final SchemaLog log;
    private final HttpServer http;
    private final ExecutorService executor;

    private SchemaRegistryServer(String bootstrapServers, InetSocketAddress address, String topic)
            throws IOException {
        long t0 = System.nanoTime();
        this.log = new SchemaLog(bootstrapServers, topic, KAFKA_TIMEOUT);
        try {
            log.ensureTopic();
            replayed = log.replay(this::applyRecord);
            this.http = HttpServer.create(address, 64);
        } catch (IOException | RuntimeException e) {
            log.close();
            throw e;
        }
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "schema-registry-http-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(executor);
        http.createContext("/", this::handle);
        http.start();
        LOG.info("Schema registry up at {} (port {}): replayed {} records from topic {} on {}, {} subjects,"
                + " next id {}; started in {} ms", url(), port(), replayed, topic, bootstrapServers,
                store.subjects().size(), store.nextId(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /** Starts a registry on a free port of the loopback interface, storing its state in {@code _schemas}. */
    public static SchemaRegistryServer start(String bootstrapServers) {
        return start(bootstrapServers, 0, DEFAULT_TOPIC);
    }

    /**
     * Starts a registry on {@code port} (0 = any free port), storing its state in {@code topic}; returns once the
     * topic has been replayed and the port accepts requests.
     */
    public static SchemaRegistryServer start(String bootstrapServers, int port, String topic) {
        return start(bootstrapServers, new InetSocketAddress(InetAddress.getLoopbackAddress(), port), topic);
    }

    /** Starts a registry listening on {@code address} (e.g. all interfaces for a standalone server). */
    public static SchemaRegistryServer start(String bootstrapServers, InetSocketAddress address, String topic) {
        try {
            return new SchemaRegistryServer(bootstrapServers, address, topic);
        } catch (IOException e) {
            throw new IllegalStateException("schema registry cannot listen on " + address + ": " + e, e);
        }
    }

    /** Base URL, e.g. {@code http://127.0.0.1:38211}. */
    public String url() {
        InetAddress address = http.getAddress().getAddress();
        String host = address.isAnyLocalAddress() ? InetAddress.getLoopbackAddress().getHostAddress()
                : address.getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    public int port() {
        return http.getAddress().getPort();
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
        log.close();
        LOG.info("Schema registry at port {} stopped", port());
    }

    // ---------------------------------------------------------------- persistence

    /** Records read from the topic at start-up, for the start-up log line. */
    private int replayed;

    private void applyRecord(JsonNode key, JsonNode value) {
        String keyType = key.path("keytype").asText("");
        if (value == null) {
            return; // tombstone: we never delete, but Confluent-written topics may contain them
        }
        switch (keyType) {
            case "SCHEMA" -> store.apply(new SchemaStore.Version(value.path("subject").asText(),
                    value.path("version").asInt(), value.path("id").asInt(), value.path("schema").asText()));
            case "CONFIG" -> {
                CompatibilityLevel level = CompatibilityLevel.parse(value.path("compatibilityLevel").asText(null));
                if (level != null) {
                    store.applyLevel(key.hasNonNull("subject") ? key.get("subject").asText() : null, level);
                }
            }
            default -> LOG.debug("ignoring {} record in {}", keyType, log.topic());
        }
    }

    private void append(JsonNode key, JsonNode value) {
        try {
            log.append(key, value);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryError(500, RegistryError.STORE_ERROR, "Interrupted writing to the schema topic", e);
        } catch (Exception e) {
            LOG.warn("cannot write to {}: {}", log.topic(), e.toString());
            throw new RegistryError(500, RegistryError.STORE_ERROR,
                    "Error in the backend data store: cannot write to " + log.topic() + ": " + e, e);
        }
    }

    // ---------------------------------------------------------------- HTTP

    private void handle(HttpExchange exchange) throws IOException {
        int status;
        JsonNode body;
        try {
            try {
                List<String> path = segments(exchange.getRequestURI().getRawPath());
                String query = exchange.getRequestURI().getRawQuery();
                body = route(exchange.getRequestMethod(), path, query == null ? "" : query, exchange);
                status = 200;
            } catch (RegistryError e) {
                status = e.status;
                body = error(e.errorCode, e.getMessage());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                status = 400;
                body = error(400, "Malformed JSON request body: " + e.getOriginalMessage());
            } catch (RuntimeException e) {
                LOG.warn("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                status = 500;
                body = error(500, "Internal error: " + e);
            }
            byte[] bytes = JSON.writeValueAsBytes(body);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } finally {
            exchange.close();
        }
    }

    private JsonNode route(String method, List<String> p, String query, HttpExchange exchange) throws IOException {
        int n = p.size();
        if (n == 0) {
            return JSON.createObjectNode();
        }
        switch (p.get(0)) {
            case "subjects" -> {
                if (n == 1 && method.equals("GET")) {
                    ArrayNode subjects = JSON.createArrayNode();
                    store.subjects().forEach(subjects::add);
                    return subjects;
                }
                String subject = n > 1 ? p.get(1) : null;
                if (n == 2 && method.equals("POST")) {
                    return lookup(subject, readSchema(exchange));
                }
                if (n == 3 && p.get(2).equals("versions") && method.equals("GET")) {
                    ArrayNode versions = JSON.createArrayNode();
                    existingVersions(subject).forEach(v -> versions.add(v.version()));
                    return versions;
                }
                if (n == 3 && p.get(2).equals("versions") && method.equals("POST")) {
                    ObjectNode id = JSON.createObjectNode();
                    id.put("id", register(subject, readSchema(exchange)));
                    return id;
                }
                if (n == 4 && p.get(2).equals("versions") && method.equals("GET")) {
                    return versionJson(version(subject, p.get(3)));
                }
                if (n == 5 && p.get(2).equals("versions") && p.get(4).equals("schema") && method.equals("GET")) {
                    return JSON.readTree(version(subject, p.get(3)).schema());
                }
            }
            case "schemas" -> {
                if (n == 3 && p.get(1).equals("ids") && method.equals("GET")) {
                    int id = parseInt(p.get(2), () -> RegistryError.schemaNotFound("Schema " + p.get(2)));
                    String schema = store.schemaById(id);
                    if (schema == null) {
                        throw RegistryError.schemaNotFound("Schema " + id);
                    }
                    ObjectNode found = JSON.createObjectNode();
                    found.put("schema", schema);
                    return found;
                }
            }
            case "compatibility" -> {
                if (n == 5 && p.get(1).equals("subjects") && p.get(3).equals("versions") && method.equals("POST")) {
                    return compatibility(p.get(2), p.get(4), readSchema(exchange));
                }
            }
            case "config" -> {
                String subject = n == 2 ? p.get(1) : null;
                if (n <= 2 && method.equals("GET")) {
                    return getConfig(subject, query.contains("defaultToGlobal=true"));
                }
                if (n <= 2 && method.equals("PUT")) {
                    return putConfig(subject, JSON.readTree(readBody(exchange)));
                }
            }
            default -> {
            }
        }
        throw new RegistryError(404, 404, "HTTP 404 Not Found: " + method + " /" + String.join("/", p));
    }

    // ---------------------------------------------------------------- operations

    private int register(String subject, Schema schema) {
        String canonical = schema.toString();
        synchronized (writeLock) {
            List<SchemaStore.Version> versions = store.versions(subject);
            for (SchemaStore.Version v : versions) {
                if (v.schema().equals(canonical)) {
                    return v.id();
                }
            }
            CompatibilityLevel level = store.effectiveLevel(subject);
            List<String> problems = CompatibilityChecker.check(level, schema, parsed(versions));
            if (!problems.isEmpty()) {
                throw new RegistryError(409, RegistryError.INCOMPATIBLE_SCHEMA,
                        "Schema being registered is incompatible with an earlier schema for subject \"" + subject
                                + "\", details: " + problems);
            }
            Integer existingId = store.idOf(canonical);
            int id = existingId != null ? existingId : store.nextId();
            int version = versions.isEmpty() ? 1 : versions.get(versions.size() - 1).version() + 1;
            ObjectNode key = JSON.createObjectNode();
            key.put("keytype", "SCHEMA").put("subject", subject).put("version", version).put("magic", 1);
            ObjectNode value = JSON.createObjectNode();
            value.put("subject", subject).put("version", version).put("id", id).put("schema", canonical)
                    .put("deleted", false);
            append(key, value);
            store.apply(new SchemaStore.Version(subject, version, id, canonical));
            LOG.info("registered {} version {} as id {}", subject, version, id);
            return id;
        }
    }

    private JsonNode lookup(String subject, Schema schema) {
        String canonical = schema.toString();
        for (SchemaStore.Version v : existingVersions(subject)) {
            if (v.schema().equals(canonical)) {
                return versionJson(v);
            }
        }
        throw RegistryError.schemaNotFound("Schema");
    }

    private JsonNode compatibility(String subject, String versionParam, Schema schema) {
        List<SchemaStore.Version> versions = store.versions(subject);
        CompatibilityLevel level = store.effectiveLevel(subject);
        SortedMap<Integer, Schema> against;
        if (versionParam.equals("latest")) {
            // nothing registered yet: anything may become version 1
            against = parsed(versions);
        } else {
            SchemaStore.Version one = version(subject, versionParam);
            against = parsed(List.of(one));
        }
        List<String> problems = CompatibilityChecker.check(level, schema, against);
        ObjectNode result = JSON.createObjectNode();
        result.put("is_compatible", problems.isEmpty());
        ArrayNode messages = result.putArray("messages");
        problems.forEach(messages::add);
        return result;
    }

    private JsonNode getConfig(String subject, boolean defaultToGlobal) {
        CompatibilityLevel level = subject == null ? store.globalLevel() : store.subjectLevel(subject);
        if (level == null && defaultToGlobal) {
            level = store.globalLevel();
        }
        if (level == null) {
            throw new RegistryError(404, RegistryError.SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED,
                    "Subject '" + subject + "' does not have subject-level compatibility configured");
        }
        // Confluent answers GET with "compatibilityLevel"; "compatibility" is what PUT takes, so both are given
        ObjectNode config = JSON.createObjectNode();
        config.put("compatibilityLevel", level.name());
        config.put("compatibility", level.name());
        return config;
    }

    private JsonNode putConfig(String subject, JsonNode request) {
        String requested = request.path("compatibility").asText(request.path("compatibilityLevel").asText(null));
        CompatibilityLevel level = CompatibilityLevel.parse(requested);
        if (level == null) {
            throw new RegistryError(422, RegistryError.INVALID_COMPATIBILITY_LEVEL,
                    "Invalid compatibility level. Valid values are " + Arrays.toString(CompatibilityLevel.values())
                            + ", got: " + requested);
        }
        synchronized (writeLock) {
            ObjectNode key = JSON.createObjectNode();
            key.put("keytype", "CONFIG");
            if (subject == null) {
                key.putNull("subject");
            } else {
                key.put("subject", subject);
            }
            key.put("magic", 0);
            ObjectNode value = JSON.createObjectNode();
            value.put("compatibilityLevel", level.name());
            append(key, value);
            store.applyLevel(subject, level);
        }
        LOG.info("compatibility of {} set to {}", subject == null ? "the registry" : subject, level);
        ObjectNode answer = JSON.createObjectNode();
        answer.put("compatibility", level.name());
        return answer;
    }

    // ---------------------------------------------------------------- helpers

    private List<SchemaStore.Version> existingVersions(String subject) {
        List<SchemaStore.Version> versions = store.versions(subject);
        if (versions.isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        return versions;
    }

    private SchemaStore.Version version(String subject, String versionParam) {
        List<SchemaStore.Version> versions = existingVersions(subject);
        if (versionParam.equals("latest") || versionParam.equals("-1")) {
            return versions.get(versions.size() - 1);
        }
        int wanted = parseInt(versionParam, () -> new RegistryError(422, RegistryError.INVALID_VERSION,
                "The specified version '" + versionParam + "' is not a valid version id. Allowed values are"
                        + " between [1, 2^31-1] and the string \"latest\""));
        for (SchemaStore.Version v : versions) {
            if (v.version() == wanted) {
                return v;
            }
        }
        throw RegistryError.versionNotFound(versionParam);
    }

    private static ObjectNode versionJson(SchemaStore.Version v) {
        ObjectNode json = JSON.createObjectNode();
        json.put("subject", v.subject()).put("version", v.version()).put("id", v.id()).put("schema", v.schema());
        return json;
    }

    private static SortedMap<Integer, Schema> parsed(List<SchemaStore.Version> versions) {
        SortedMap<Integer, Schema> schemas = new TreeMap<>();
        for (SchemaStore.Version v : versions) {
            schemas.put(v.version(), new Schema.Parser().parse(v.schema()));
        }
        return schemas;
    }

    private static Schema readSchema(HttpExchange exchange) throws IOException {
        JsonNode request = JSON.readTree(readBody(exchange));
        String schemaType = request.path("schemaType").asText("AVRO");
        if (!schemaType.equalsIgnoreCase("AVRO")) {
            throw new RegistryError(422, RegistryError.INVALID_SCHEMA,
                    "Invalid schema: only AVRO is supported by this registry, got schemaType " + schemaType);
        }
        JsonNode schema = request.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw new RegistryError(422, RegistryError.INVALID_SCHEMA,
                    "Invalid schema: the request has no \"schema\" string");
        }
        try {
            return new Schema.Parser().parse(schema.asText());
        } catch (SchemaParseException | NullPointerException e) {
            throw new RegistryError(422, RegistryError.INVALID_SCHEMA, "Invalid schema " + schema.asText()
                    + ": " + e.getMessage(), e);
        }
    }

    private static String readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static List<String> segments(String rawPath) {
        List<String> segments = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                segments.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        return segments;
    }

    private static int parseInt(String text, java.util.function.Supplier<RegistryError> orElse) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw orElse.get();
        }
    }

    private static ObjectNode error(int errorCode, String message) {
        ObjectNode error = JSON.createObjectNode();
        error.put("error_code", errorCode);
        error.put("message", message);
        return error;
    }

    /** Runs a registry until the JVM is stopped: {@code --port 8081 --bootstrap-servers localhost:9092}. */
    public static void main(String[] args) throws InterruptedException {
        int port = 8081;
        String bootstrap = "localhost:9092";
        String topic = DEFAULT_TOPIC;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--bootstrap-servers" -> bootstrap = args[++i];
                case "--topic" -> topic = args[++i];
                default -> {
                    System.err.println("usage: SchemaRegistryServer [--port 8081] [--bootstrap-servers host:9092]"
                            + " [--topic _schemas]");
                    System.exit(2);
                }
            }
        }
        SchemaRegistryServer server = start(bootstrap, new InetSocketAddress(port), topic);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "schema-registry-shutdown"));
        stopped.await();
    }
}
