package io.tapflow.collector;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of a /metrics endpoint over HTTP, parsed to {@code name{labels} -> value}. */
record MetricsScrape(String contentType, String text, Map<String, Double> samples) {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern PORT = Pattern.compile("metrics: http://[^:]+:(\\d+)/metrics");

    /** The port CollectorMain printed on its "metrics:" line, or -1 if not printed yet. */
    static int portIn(String stdout) {
        Matcher m = PORT.matcher(stdout);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    static MetricsScrape of(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("/metrics answered " + response.statusCode());
        }
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : response.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return new MetricsScrape(response.headers().firstValue("Content-Type").orElse(""), response.body(), samples);
    }

    double value(String sample) {
        Double value = samples.get(sample);
        if (value == null) {
            throw new AssertionError("no sample " + sample + " in:\n" + text);
        }
        return value;
    }
}
