package io.tapflow.demo;

import io.tapflow.demo.traffic.TrafficDriver;
import io.tapflow.demo.traffic.TrafficRecord;
import io.tapflow.localstack.clickhouse.ClickHouseHttp;
import io.tapflow.localstack.prometheus.PrometheusQuery;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compares what the demo sent ({@link TrafficRecord}) with what tapflow's tables show, each number read the way the
 * README tells users to read the table (FINAL, one observation point): calls per service-map edge as the calling
 * process saw them (app_map_1m, CLIENT_PROCESS), requests and failures per gateway endpoint as the gateway saw them
 * (app_metrics_1m, SERVER_PROCESS), per model and tenant the LLM requests and the tokens billed, and per model the
 * LLM requests Prometheus counted (what the Grafana LLM panels draw). Only rows and samples since the run started
 * count, so earlier demo runs on the same stack do not add up.
 */
final class ResultCheck {

    /** One number: what the demo sent and what the table shows now (null = no row yet). */
    record Line(String section, String what, long sent, Long shown) {
        boolean matches() {
            return shown != null && shown == sent;
        }
    }

    private static final String PROMETHEUS_REQUESTS =
            "gen_ai_server_requests_total{observation_point=\"server_process\"}";

    private final ClickHouseHttp clickhouse;
    private final PrometheusQuery prometheus;
    private final long sinceUs;

    ResultCheck(ClickHouseHttp clickhouse, PrometheusQuery prometheus, long sinceUs) {
        this.clickhouse = clickhouse;
        this.prometheus = prometheus;
        this.sinceUs = sinceUs;
    }

    /** Polls until every number matches or {@code maxWait} is over; a progress line every {@code every}. */
    boolean await(TrafficRecord sent, Duration maxWait, Duration every, PrintStream out) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + maxWait.toNanos();
        long nextProgress = start + every.toNanos();
        while (true) {
            List<Line> lines;
            try {
                lines = lines(sent);
            } catch (IllegalStateException e) {
                lines = List.of(new Line("query", e.getMessage(), 0, null));
            }
            long matching = lines.stream().filter(Line::matches).count();
            if (matching == lines.size()) {
                out.printf("      all %d numbers match after %d s%n", lines.size(),
                        (System.nanoTime() - start) / 1_000_000_000L);
                return true;
            }
            if (System.nanoTime() > deadline) {
                out.printf("      after %d s, %d of %d numbers match; the rest is below%n",
                        maxWait.toSeconds(), matching, lines.size());
                return false;
            }
            if (System.nanoTime() >= nextProgress) {
                out.printf("      %3d s: %d of %d numbers match%n", (System.nanoTime() - start) / 1_000_000_000L,
                        matching, lines.size());
                nextProgress += every.toNanos();
            }
            Thread.sleep(1_000);
        }
    }

    /** Every compared number, sent against shown. */
    List<Line> lines(TrafficRecord sent) {
        List<Line> lines = new ArrayList<>();
        edges(sent, lines);
        endpoints(sent, lines);
        billing(sent, lines);
        prometheusRequests(sent, lines);
        return lines;
    }

    /**
     * Calls per edge. A service's calls are read where the calling service saw them (CLIENT_PROCESS; the server it
     * called is named by its address there, so by port); the demo's own clients are not captured, so calls from
     * them are read where the server saw them (SERVER_PROCESS, the server by name).
     */
    private void edges(TrafficRecord sent, List<Line> lines) {
        Map<String, Long> ports = sent.ports();
        Map<String, long[]> shown = new TreeMap<>();
        for (String[] r : clickhouse.rows("SELECT observation_point, client_service, server_service, sum(requests),"
                + " sum(client_errors) + sum(server_errors) FROM app_map_1m FINAL WHERE window_start_ms >= "
                + windowFloorMs() + " GROUP BY observation_point, client_service, server_service")) {
            String key = r[0].equals("CLIENT_PROCESS") ? "client|" + r[1] + "|" + r[2].replaceAll(".*:", "")
                    : r[0].equals("SERVER_PROCESS") ? "server|" + r[2] : "other";
            long[] v = shown.computeIfAbsent(key, k -> new long[2]);
            v[0] += Long.parseLong(r[3]);
            v[1] += Long.parseLong(r[4]);
        }
        sent.edges().forEach((edge, n) -> {
            String[] cs = edge.split("\\|");
            long[] v = shown.get(TrafficDriver.CLIENTS.contains(cs[0]) ? "server|" + cs[1]
                    : "client|" + cs[0] + "|" + ports.get(cs[1]));
            String seen = TrafficDriver.CLIENTS.contains(cs[0]) ? " (at the server)" : "";
            lines.add(new Line("map", cs[0] + " → " + cs[1] + " requests" + seen, n, v == null ? null : v[0]));
            lines.add(new Line("map", cs[0] + " → " + cs[1] + " errors" + seen, sent.edgeErrors().getOrDefault(edge,
                    0L), v == null ? null : v[1]));
        });
    }

    /** Requests and failures per gateway endpoint, as the gateway saw them. */
    private void endpoints(TrafficRecord sent, List<Line> lines) {
        Map<String, long[]> endpoints = new TreeMap<>();
        sent.endpoints().forEach((k, n) -> {
            int bar = k.lastIndexOf('|');
            long[] v = endpoints.computeIfAbsent(k.substring(0, bar), e -> new long[2]);
            v[0] += n;
            v[1] += Integer.parseInt(k.substring(bar + 1)) >= 400 ? n : 0;
        });
        Map<String, long[]> red = new TreeMap<>();
        for (String[] r : clickhouse.rows("SELECT endpoint, sum(requests), sum(client_errors) + sum(server_errors)"
                + " FROM app_metrics_1m FINAL WHERE service = 'gateway' AND observation_point = 'SERVER_PROCESS'"
                + " AND window_start_ms >= " + windowFloorMs() + " GROUP BY endpoint")) {
            red.put(r[0], new long[] {Long.parseLong(r[1]), Long.parseLong(r[2])});
        }
        endpoints.forEach((endpoint, v) -> {
            long[] shown = red.get(endpoint);
            lines.add(new Line("red", "gateway " + endpoint + " requests", v[0], shown == null ? null : shown[0]));
            lines.add(new Line("red", "gateway " + endpoint + " errors", v[1], shown == null ? null : shown[1]));
        });
    }

    /**
     * Per model and tenant, the requests and tokens the server's usage reported against what tapflow bills (the
     * billing view's sums: llm_requests, as llm_usage_hourly will hold them once the hour has closed). Tenants are
     * keyed API keys hashed with the stack's secret, so each model's tenants are matched by their totals: the
     * sorted lists of per-tenant totals must be equal.
     */
    private void billing(TrafficRecord sent, List<Line> lines) {
        Map<String, Map<String, long[]>> sentByModel = llmSent(sent);
        Map<String, List<long[]>> shown = new TreeMap<>();
        for (String[] r : clickhouse.rows("SELECT model, tenant, count(), sum(input_tokens), sum(output_tokens) FROM"
                + " llm_requests FINAL WHERE start_time_us >= " + sinceUs + " GROUP BY model, tenant")) {
            shown.computeIfAbsent(r[0], m -> new ArrayList<>()).add(new long[] {Long.parseLong(r[2]),
                    Long.parseLong(r[3]), Long.parseLong(r[4])});
        }
        String[] names = {"requests", "input tokens", "output tokens"};
        sentByModel.forEach((model, byTenant) -> {
            List<long[]> s = sortedByTotals(new ArrayList<>(byTenant.values()));
            List<long[]> t = sortedByTotals(shown.getOrDefault(model, List.of()));
            for (int i = 0; i < s.size(); i++) {
                for (int j = 0; j < 3; j++) {
                    lines.add(new Line("llm", model + " tenant " + (i + 1) + " " + names[j], s.get(i)[j],
                            i < t.size() ? t.get(i)[j] : null));
                }
            }
            for (int i = s.size(); i < t.size(); i++) {
                lines.add(new Line("llm", model + " unexpected tenant " + (i + 1) + " requests", 0, t.get(i)[0]));
            }
        });
    }

    /**
     * Per model, the LLM requests the Prometheus counter {@code gen_ai_server_requests_total} gained since the run
     * began, at the server: what the Grafana LLM panels draw. Its 10 s windows close 30 s after they end (in event
     * time), later than the tables' rows, so waiting for these keeps the clock going until the panels have data.
     */
    private void prometheusRequests(TrafficRecord sent, List<Line> lines) {
        Map<String, Long> sentByModel = new TreeMap<>();
        llmSent(sent).forEach((model, byTenant) -> sentByModel.put(model,
                byTenant.values().stream().mapToLong(v -> v[0]).sum()));
        if (sentByModel.isEmpty()) {
            return;
        }
        long nowMs = System.currentTimeMillis();
        // an hour before the run: the baseline sample of a counter earlier runs on this stack left
        long rangeS = (nowMs - sinceUs / 1000) / 1000 + 3600;
        Map<String, Double> shown = new TreeMap<>();
        for (PrometheusQuery.Series series : prometheus.matrix(PROMETHEUS_REQUESTS + "[" + rangeS + "s]", nowMs)) {
            shown.merge(series.labels().getOrDefault("model", ""),
                    PrometheusQuery.increaseSince(series.samples(), sinceUs / 1e6), Double::sum);
        }
        sentByModel.forEach((model, n) -> {
            Double v = shown.get(model);
            lines.add(new Line("prom", model + " requests (Grafana's LLM panels)", n,
                    v == null ? null : Math.round(v)));
        });
    }

    /** What the demo sent to the LLM server: per model and tenant, {requests, input tokens, output tokens}. */
    private static Map<String, Map<String, long[]>> llmSent(TrafficRecord sent) {
        Map<String, Map<String, long[]>> byModel = new TreeMap<>();
        sent.llm().forEach((k, n) -> {
            String[] f = k.split("\\|");
            long[] v = byModel.computeIfAbsent(f[1], m -> new TreeMap<>()).computeIfAbsent(f[0], t -> new long[3]);
            v[switch (f[2]) {
                case "requests" -> 0;
                case "input" -> 1;
                default -> 2;
            }] += n;
        });
        return byModel;
    }

    private static List<long[]> sortedByTotals(List<long[]> rows) {
        List<long[]> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.<long[]>comparingLong(v -> v[1]).thenComparingLong(v -> v[2])
                .thenComparingLong(v -> v[0]));
        return sorted;
    }

    /** When the run began (µs since the epoch). */
    long sinceUs() {
        return sinceUs;
    }

    /** The start of the minute the run began in: windows that can hold its traffic. */
    private long windowFloorMs() {
        long ms = sinceUs / 1000;
        return ms - ms % 60_000;
    }
}
