package io.tapflow.flowagg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.minicluster.MiniCluster;

/**
 * A running job's metrics as a user reads them: through the cluster's REST API (the same numbers the web UI and
 * metric reporters show), summed over every subtask of every vertex.
 */
final class JobMetrics {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI rest;
    private final JobID job;

    JobMetrics(MiniCluster cluster, JobID job) throws Exception {
        this.rest = cluster.getRestAddress().get();
        this.job = job;
    }

    /** Sum of every subtask metric whose name ends with {@code suffix} (e.g. {@code reassembly.lateEvents}). */
    long sum(String suffix) throws Exception {
        long total = 0;
        for (JsonNode vertex : get("/jobs/" + job).path("vertices")) {
            String base = "/jobs/" + job + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
            List<String> names = new ArrayList<>();
            for (JsonNode metric : get(base)) {
                String id = metric.path("id").asText();
                if (id.endsWith("." + suffix) || id.equals(suffix)) {
                    names.add(id);
                }
            }
            for (String name : names) {
                for (JsonNode value : get(base + "?agg=sum&get=" + URLEncoder.encode(name, StandardCharsets.UTF_8))) {
                    total += (long) value.path("sum").asDouble();
                }
            }
        }
        return total;
    }

    /** Per vertex (by name): the largest value of task metric {@code metric} over its subtasks. */
    Map<String, Double> perVertex(String metric) throws Exception {
        Map<String, Double> values = new LinkedHashMap<>();
        for (JsonNode vertex : get("/jobs/" + job).path("vertices")) {
            String base = "/jobs/" + job + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
            for (JsonNode value : get(base + "?agg=max&get=" + metric)) {
                values.put(vertex.path("name").asText(), value.path("max").asDouble());
            }
        }
        return values;
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(rest.resolve(path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return JSON.readTree(response.body());
    }
}
