package io.tapflow.localstack.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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

/**
 * Prometheus' HTTP query API ({@code /api/v1/query}, {@code /api/v1/query_range}) for the stack's own checks: the
 * demo's numbers, the dashboard check, tests. Any answer other than {@code "status":"success"} throws with
 * Prometheus' error text and the query.
 */
public final class PrometheusQuery {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String url;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param url the server's base URL, e.g. {@code http://127.0.0.1:9090} */
    public PrometheusQuery(String url) {
        this.url = url.replaceAll("/+$", "");
    }

    /** An instant query evaluated now; the whole JSON answer. */
    public String instantJson(String promql) {
        return get("/api/v1/query?query=" + encode(promql), promql);
    }

    /**
     * An instant query evaluated at {@code atMs} whose answer is a matrix (a range selector such as
     * {@code metric[10m]}): every series with its samples.
     */
    public List<Series> matrix(String promql, long atMs) {
        JsonNode data = data(get("/api/v1/query?query=" + encode(promql) + "&time=" + atMs / 1000.0, promql),
                "matrix", promql);
        List<Series> series = new ArrayList<>();
        for (JsonNode s : data.path("result")) {
            Map<String, String> labels = new LinkedHashMap<>();
            s.path("metric").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            List<double[]> samples = new ArrayList<>();
            for (JsonNode v : s.path("values")) {
                samples.add(new double[] {v.path(0).asDouble(), Double.parseDouble(v.path(1).asText())});
            }
            series.add(new Series(labels, samples));
        }
        return series;
    }

    /** One series of a matrix: its labels and its samples, oldest first, as {@code {seconds, value}} pairs. */
    public record Series(Map<String, String> labels, List<double[]> samples) {
    }

    /**
     * How much a counter grew after {@code fromSeconds}, from its samples (oldest first): the last sample at or
     * before {@code fromSeconds} is the baseline (none: 0), and a drop is a reset, after which the counter counts
     * from 0 again. Exact, unlike {@code increase()}, which extrapolates to the range's edges.
     */
    public static double increaseSince(List<double[]> samples, double fromSeconds) {
        double previous = 0;
        double increase = 0;
        for (double[] sample : samples) {
            double value = sample[1];
            if (sample[0] > fromSeconds) {
                increase += value >= previous ? value - previous : value;
            }
            previous = value;
        }
        return increase;
    }

    /** A range query from {@code fromMs} to {@code toMs} every {@code stepS} seconds; the answer's result array. */
    public JsonNode range(String promql, long fromMs, long toMs, long stepS) {
        return parse(get("/api/v1/query_range?query=" + encode(promql) + "&start=" + fromMs / 1000.0 + "&end="
                + toMs / 1000.0 + "&step=" + stepS, promql)).path("data").path("result");
    }

    private String get(String pathAndQuery, String promql) {
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(URI.create(url + pathAndQuery)).timeout(Duration.ofSeconds(60))
                    .GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("Prometheus at " + url + " unreachable: " + e + "\nquery: " + promql, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during Prometheus query: " + promql, e);
        }
        String body = response.body();
        String status;
        String error;
        try {
            JsonNode json = JSON.readTree(body);
            status = json.path("status").asText();
            error = json.path("errorType").asText() + ": " + json.path("error").asText();
        } catch (IOException e) {
            status = "unparseable";
            error = body.trim();
        }
        if (response.statusCode() != 200 || !"success".equals(status)) {
            throw new IllegalStateException("Prometheus query failed (HTTP " + response.statusCode() + ") "
                    + error + "\nquery: " + promql);
        }
        return body;
    }

    private static JsonNode data(String body, String resultType, String promql) {
        JsonNode data = parse(body).path("data");
        if (!data.path("resultType").asText().equals(resultType)) {
            throw new IllegalStateException("Prometheus answered a " + data.path("resultType").asText() + ", not a "
                    + resultType + "\nquery: " + promql);
        }
        return data;
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("unparseable Prometheus answer: " + body, e);
        }
    }

    private static String encode(String promql) {
        return URLEncoder.encode(promql, StandardCharsets.UTF_8);
    }
}
