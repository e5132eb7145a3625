package io.tapflow.localstack.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The calls of Flink's REST API (the one {@code flink run} and the web UI use) that deploying tapflow's jobs needs:
 * upload a jar and run it, list jobs and task managers, read checkpoint statistics, stop with a savepoint, cancel.
 * Works against any Flink 2.x cluster: the local {@link FlinkStandaloneCluster}, a docker-compose JobManager, a
 * Kubernetes session cluster. When Flink answers with an error, its {@code errors} array becomes a
 * {@link FlinkRestException} whose message is the server's cause in one line.
 */
public final class FlinkRestClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    /** Running a jar executes its main() on the JobManager, which builds and submits the job graph. */
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration UPLOAD_TIMEOUT = Duration.ofMinutes(5);

    private final URI base;
    private final HttpClient http;

    public FlinkRestClient(String restUrl) {
        String url = restUrl.endsWith("/") ? restUrl.substring(0, restUrl.length() - 1) : restUrl;
        this.base = URI.create(url);
        if (base.getScheme() == null || base.getHost() == null) {
            throw new IllegalArgumentException("not a REST URL: '" + restUrl + "' (expected e.g. http://host:8081)");
        }
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    public String url() {
        return base.toString();
    }

    /** A job as {@code /jobs/overview} lists it. */
    public record JobSummary(String id, String name, String state) {
    }

    /** A registered task manager as {@code /taskmanagers} lists it. */
    public record TaskManager(String id, int slots, int freeSlots) {
    }

    /**
     * What {@code /jobs/{id}/checkpoints} says: counts, the latest completed checkpoint, and — after a failover or a
     * start from a savepoint — which checkpoint or savepoint the job restored from (null ids when none).
     */
    public record CheckpointStats(long completed, long failed, long restored, Long latestCompletedId,
                                  Long restoredId, String restoredPath, boolean restoredFromSavepoint) {
    }

    /** The body of {@code POST /jars/{id}/run}; null fields are left to the cluster's defaults. */
    public record RunRequest(String entryClass, List<String> programArgs, Integer parallelism, String savepointPath,
                             boolean allowNonRestoredState) {

        public RunRequest {
            programArgs = List.copyOf(programArgs);
        }

        public static RunRequest of(List<String> programArgs) {
            return new RunRequest(null, programArgs, null, null, false);
        }

        public RunRequest withParallelism(Integer p) {
            return new RunRequest(entryClass, programArgs, p, savepointPath, allowNonRestoredState);
        }

        public RunRequest fromSavepoint(String path, boolean allowNonRestored) {
            return new RunRequest(entryClass, programArgs, parallelism, path, allowNonRestored);
        }
    }

    /** {@code GET /overview}: task managers, slots, job counts, Flink version. */
    public JsonNode overview() {
        return get("/overview");
    }

    /** The Flink version the cluster runs, e.g. "2.2.1". */
    public String flinkVersion() {
        return overview().path("flink-version").asText();
    }

    public List<TaskManager> taskManagers() {
        List<TaskManager> out = new ArrayList<>();
        for (JsonNode tm : get("/taskmanagers").path("taskmanagers")) {
            out.add(new TaskManager(tm.path("id").asText(), tm.path("slotsNumber").asInt(),
                    tm.path("freeSlots").asInt()));
        }
        return out;
    }

    /** Uploads a job jar ({@code POST /jars/upload}, multipart field {@code jarfile}); returns the jar id. */
    public String uploadJar(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("no such jar: " + jar);
        }
        String boundary = "tapflow-" + UUID.randomUUID();
        String fileName = jar.getFileName().toString().replace("\"", "");
        byte[] head = ("--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"jarfile\"; filename=\"" + fileName + "\"\r\n"
                + "Content-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        HttpRequest.BodyPublisher body;
        try {
            body = HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head),
                    HttpRequest.BodyPublishers.ofFile(jar), HttpRequest.BodyPublishers.ofByteArray(tail));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + jar + ": " + e, e);
        }
        HttpRequest request = request("/jars/upload", UPLOAD_TIMEOUT)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(body).build();
        JsonNode answer = send(request, "POST /jars/upload " + fileName);
        String stored = answer.path("filename").asText();
        if (!"success".equals(answer.path("status").asText()) || stored.isEmpty()) {
            throw new FlinkRestException("POST /jars/upload " + fileName + ": unexpected answer " + answer, 200,
                    List.of(), null);
        }
        // the jar id is the file name the JobManager stored it under
        return Path.of(stored).getFileName().toString();
    }

    /** Runs an uploaded jar ({@code POST /jars/{id}/run}): its main() runs on the JobManager; returns the job id. */
    public String runJar(String jarId, RunRequest run) {
        ObjectNode body = JSON.createObjectNode();
        if (run.entryClass() != null) {
            body.put("entryClass", run.entryClass());
        }
        body.putPOJO("programArgsList", run.programArgs());
        if (run.parallelism() != null) {
            body.put("parallelism", run.parallelism());
        }
        if (run.savepointPath() != null) {
            body.put("savepointPath", run.savepointPath());
            body.put("allowNonRestoredState", run.allowNonRestoredState());
        }
        HttpRequest request = request("/jars/" + encode(jarId) + "/run", RUN_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        String jobId = send(request, "POST /jars/" + jarId + "/run").path("jobid").asText();
        if (jobId.isEmpty()) {
            throw new FlinkRestException("POST /jars/" + jarId + "/run: no job id in the answer", 200, List.of(),
                    null);
        }
        return jobId;
    }

    public void deleteJar(String jarId) {
        send(request("/jars/" + encode(jarId), CALL_TIMEOUT).DELETE().build(), "DELETE /jars/" + jarId);
    }

    public List<JobSummary> jobs() {
        List<JobSummary> out = new ArrayList<>();
        for (JsonNode job : get("/jobs/overview").path("jobs")) {
            out.add(new JobSummary(job.path("jid").asText(), job.path("name").asText(), job.path("state").asText()));
        }
        return out;
    }

    public JobSummary job(String jobId) {
        JsonNode job = get("/jobs/" + encode(jobId));
        return new JobSummary(job.path("jid").asText(), job.path("name").asText(), job.path("state").asText());
    }

    /**
     * Waits until the job is in one of {@code states}; fails early when it reaches a terminal state that is not
     * wanted, naming the job's root exception.
     */
    public JobSummary awaitState(String jobId, Set<String> states, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JobSummary last = null;
        while (true) {
            last = job(jobId);
            if (states.contains(last.state())) {
                return last;
            }
            if (Set.of("FAILED", "CANCELED", "FINISHED").contains(last.state())) {
                throw new IllegalStateException("job " + jobId + " (" + last.name() + ") is " + last.state()
                        + ", expected " + states + ": " + rootException(jobId));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + jobId + " (" + last.name() + ") still " + last.state()
                        + " after " + timeout.toSeconds() + " s, expected " + states + "; last exception: "
                        + rootException(jobId));
            }
            sleep(200);
        }
    }

    /** The first line of the job's root exception ({@code /jobs/{id}/exceptions}), or "none". */
    public String rootException(String jobId) {
        try {
            JsonNode ex = get("/jobs/" + encode(jobId) + "/exceptions");
            String root = ex.path("root-exception").asText("");
            if (root.isEmpty()) {
                JsonNode history = ex.path("exceptionHistory").path("entries");
                root = history.isArray() && !history.isEmpty() ? history.get(0).path("stacktrace").asText("") : "";
            }
            return root.isEmpty() ? "none" : summarize(List.of(root));
        } catch (FlinkRestException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    public CheckpointStats checkpoints(String jobId) {
        JsonNode cp = get("/jobs/" + encode(jobId) + "/checkpoints");
        JsonNode counts = cp.path("counts");
        JsonNode latest = cp.path("latest");
        JsonNode completed = latest.path("completed");
        JsonNode restored = latest.path("restored");
        return new CheckpointStats(counts.path("completed").asLong(), counts.path("failed").asLong(),
                counts.path("restored").asLong(),
                completed.isObject() ? completed.path("id").asLong() : null,
                restored.isObject() ? restored.path("id").asLong() : null,
                restored.isObject() ? restored.path("external_path").asText(null) : null,
                restored.isObject() && restored.path("is_savepoint").asBoolean());
    }

    /**
     * Stops the job with a savepoint ({@code POST /jobs/{id}/stop}, then polls the trigger) and returns the
     * savepoint's location. {@code targetDirectory} null uses the cluster's
     * {@code execution.checkpointing.savepoint-dir}.
     */
    public String stopWithSavepoint(String jobId, String targetDirectory, Duration timeout) {
        ObjectNode body = JSON.createObjectNode();
        if (targetDirectory != null) {
            body.put("targetDirectory", targetDirectory);
        }
        body.put("drain", false);
        String call = "POST /jobs/" + jobId + "/stop";
        String trigger = send(request("/jobs/" + encode(jobId) + "/stop", CALL_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), call)
                .path("request-id").asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode status = get("/jobs/" + encode(jobId) + "/savepoints/" + encode(trigger));
            if ("COMPLETED".equals(status.path("status").path("id").asText())) {
                JsonNode op = status.path("operation");
                if (op.hasNonNull("location")) {
                    return op.path("location").asText();
                }
                JsonNode failure = op.path("failure-cause");
                throw new FlinkRestException(call + ": the savepoint failed: "
                        + failure.path("stack-trace").asText(failure.toString()).lines().findFirst().orElse("?"),
                        200, List.of(failure.toString()), null);
            }
            if (System.nanoTime() > deadline) {
                throw new FlinkRestException(call + ": savepoint not completed within " + timeout.toSeconds()
                        + " s (status " + status.path("status") + ")", 200, List.of(), null);
            }
            sleep(250);
        }
    }

    /** Cancels the job ({@code PATCH /jobs/{id}?mode=cancel}); returns at once, the job is CANCELED shortly. */
    public void cancel(String jobId) {
        send(request("/jobs/" + encode(jobId) + "?mode=cancel", CALL_TIMEOUT)
                .method("PATCH", HttpRequest.BodyPublishers.noBody()).build(), "PATCH /jobs/" + jobId);
    }

    private JsonNode get(String path) {
        return send(request(path, CALL_TIMEOUT).GET().build(), "GET " + path);
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout).header("Accept", "application/json");
    }

    private JsonNode send(HttpRequest request, String call) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new FlinkRestException("Flink REST API at " + base + " unreachable (" + call + "): " + e
                    + (e instanceof java.net.ConnectException ? " — is the JobManager running, and is the URL its"
                    + " rest.address:rest.port?" : ""), 0, List.of(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlinkRestException("interrupted during " + call, 0, List.of(), e);
        }
        JsonNode json;
        try {
            json = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new FlinkRestException(call + ": HTTP " + response.statusCode() + ", not JSON: "
                    + abbreviate(response.body()), response.statusCode(), List.of(response.body()), e);
        }
        List<String> errors = new ArrayList<>();
        json.path("errors").forEach(e -> errors.add(e.asText()));
        if (response.statusCode() >= 300 || !errors.isEmpty()) {
            throw new FlinkRestException(call + ": HTTP " + response.statusCode() + ": "
                    + (errors.isEmpty() ? abbreviate(response.body()) : summarize(errors)),
                    response.statusCode(), errors, null);
        }
        return json;
    }

    /**
     * One line out of Flink's error texts (often whole stack traces): the user program's failure when there is one
     * ("The main method caused an error: ..."), else the deepest "Caused by", else the first line.
     */
    static String summarize(List<String> errors) {
        String mainError = null;
        String deepestCause = null;
        String first = null;
        for (String error : errors) {
            for (String line : error.lines().map(String::strip).toList()) {
                if (line.isEmpty() || line.startsWith("at ") || line.startsWith("...")) {
                    continue;
                }
                if (first == null) {
                    first = line;
                }
                if (mainError == null && line.contains("The main method caused an error")) {
                    mainError = line;
                }
                if (line.startsWith("Caused by: ")) {
                    deepestCause = line.substring("Caused by: ".length());
                }
            }
        }
        String chosen = mainError != null ? mainError : deepestCause != null ? deepestCause : first;
        return chosen == null ? "(no error text)" : abbreviate(chosen);
    }

    private static String abbreviate(String s) {
        String one = s.strip().replace('\n', ' ');
        return one.length() <= 600 ? one : one.substring(0, 600) + "…";
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
