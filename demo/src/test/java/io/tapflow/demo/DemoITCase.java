package io.tapflow.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.collector.Preflight;
import io.tapflow.demo.traffic.TrafficDriver;
import io.tapflow.demo.traffic.TrafficRecord;
import io.tapflow.localstack.clickhouse.ClickHouseHttp;
import io.tapflow.localstack.flink.JobSubmitter;
import io.tapflow.localstack.grafana.DashboardCheck;
import io.tapflow.localstack.grafana.GrafanaDashboards;
import io.tapflow.localstack.prometheus.PrometheusQuery;
import io.tapflow.localstack.stack.LocalStack;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo path as {@code ./tapflow demo} runs it, on a fresh local stack (Kafka, registry, ClickHouse, Prometheus,
 * a standalone Flink cluster running the three jobs' shaded jars): live eBPF capture where this machine allows it
 * (root, BTF — CI), else the replay of the bundled capture, which the output says. The printed output is read back
 * as a user reads it: every section is there and not empty, and its numbers are what the demo's clients sent and
 * the servers answered — calls per map edge, requests and errors per gateway endpoint, LLM requests and tokens per
 * model, and per tenant and model the billed tokens equal to the usage the LLM server reported.
 */
class DemoITCase {

    /** Shorter than the command's 60 s: the stack's start already takes a minute on a loaded 2-core machine. */
    private static final Duration TRAFFIC = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void theDemoPrintsMapRedTraceAndLlmSectionsWhoseNumbersAreTheTrafficItSent() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        Optional<Preflight.Failure> noEbpf = new Preflight(Path.of("/proc/self/status"),
                Path.of("/sys/kernel/btf/vmlinux"), Path.of("/sys/kernel/tracing")).check();
        Path replay = noEbpf.isPresent() ? root.resolve(DemoMain.BUNDLED_CAPTURE) : null;
        System.out.println(noEbpf.map(f -> "no eBPF here (" + f.reason() + "): the bundled capture is replayed")
                .orElse("eBPF available: live capture"));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        DemoRun.Result result;
        List<DashboardCheck.Outcome> dashboards;
        try (LocalStack stack = LocalStack.start(dir.resolve("stack"),
                LocalStack.jobJars(root, List.of(JobSubmitter.Job.values())), System.out)) {
            long from = System.currentTimeMillis();
            result = new DemoRun(stack.endpoints(), new DemoRun.Options(TRAFFIC, Duration.ofSeconds(180),
                    dir.resolve("demo"), replay, null), out).run();
            // every panel of every Grafana dashboard, as Grafana would query it over the demo's time range
            Map<String, String> endpoints = stack.endpoints();
            DashboardCheck check = new DashboardCheck(new ClickHouseHttp(endpoints.get("clickhouse"),
                    LocalStack.DATABASE, "default", ""), endpoints.get("prometheus"));
            List<GrafanaDashboards.Dashboard> all = GrafanaDashboards.load(root.resolve("deploy/grafana/dashboards"));
            // the tables can match before the jobs' Prometheus samples arrive (remote write has its own schedule,
            // the demo's check reads ClickHouse): ask again for a while before calling a panel empty
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            dashboards = check.run(all, from - 60_000, System.currentTimeMillis());
            while (dashboards.stream().anyMatch(o -> !o.ok()) && System.nanoTime() < deadline) {
                // under ClickHouse's 3 s keep-alive timeout: a pause of exactly 3 s let the server close the pooled
                // connection as the next query went out ("header parser received no bytes" in CI)
                Thread.sleep(1_000);
                dashboards = check.run(all, from - 60_000, System.currentTimeMillis());
            }
            if (dashboards.stream().anyMatch(o -> !o.ok())) {
                printPrometheusSamples(endpoints.get("prometheus"), from);
            }
        }
        if (dashboards.stream().anyMatch(o -> !o.ok())) {
            printLogLines(dir.resolve("stack"), "(?i).*(prometheus|remote write|out of order).*");
        }
        String output = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(output);
        TrafficRecord sent = result.sent();
        assertThat(sent.total("requests")).as("requests the demo sent").isGreaterThan(50);
        assertThat(sent.total("errors")).as("failed requests the demo sent").isPositive();
        assertThat(sent.total("llm")).as("LLM streams the demo sent").isGreaterThan(5);
        assertThat(result.matched()).as("the demo's own check; output:%n%s", output).isTrue();

        Map<String, String> sections = PrintedTables.sections(output);
        assertThat(sections).containsKeys("map", "red", "trace", "llm", "billing");
        assertMap(PrintedTables.rows(sections.get("map")), sent);
        assertRed(PrintedTables.rows(sections.get("red")), sent);
        assertTrace(sections.get("trace"), replay != null);
        assertLlm(PrintedTables.rows(sections.get("llm")), PrintedTables.rows(sections.get("billing")), sent);
        assertThat(output).contains("./tapflow query");

        dashboards.forEach(System.out::println);
        assertThat(dashboards).as("dashboard queries").hasSizeGreaterThan(20);
        assertThat(dashboards).filteredOn(o -> !o.ok()).as("dashboard queries without data on the demo's traffic")
                .isEmpty();
    }

    /**
     * What Prometheus holds of the LLM series when a panel stayed empty: every sample's time (relative to the demo's
     * start) per series, so a failure says whether samples were missing, late or too sparse for rate().
     */
    private static void printPrometheusSamples(String prometheus, long from) {
        String query = "{__name__=~\"gen_ai_server_(requests_total|concurrent_requests_max|tokens_total)\"}[15m]";
        try {
            long now = System.currentTimeMillis();
            List<PrometheusQuery.Series> all = new PrometheusQuery(prometheus).matrix(query, now);
            System.out.printf("Prometheus LLM samples (s after the demo started), now +%.1f s:%n", (now - from) / 1000.0);
            for (PrometheusQuery.Series series : all) {
                StringBuilder times = new StringBuilder();
                for (double[] v : series.samples()) {
                    times.append(String.format(" %+.1f=%s", v[0] - from / 1000.0, v[1]));
                }
                System.out.println("  " + series.labels() + ":" + times);
            }
        } catch (RuntimeException e) {
            System.out.println("could not read the LLM samples from Prometheus: " + e);
        }
    }

    /** The lines of the stack's logs (Flink's included) that match {@code regex}, at most 40. */
    private static void printLogLines(Path stack, String regex) {
        System.out.println("log lines matching " + regex + ":");
        try (var files = java.nio.file.Files.walk(stack)) {
            files.filter(f -> f.toString().endsWith(".log") || f.toString().endsWith(".out"))
                    // Kafka's segment files end in .log too, and are binary
                    .filter(f -> !f.toString().contains("/data/kafka/"))
                    .flatMap(f -> {
                        try {
                            return java.nio.file.Files.readAllLines(f).stream().filter(l -> l.matches(regex))
                                    .map(l -> "  " + f.getFileName() + ": " + l);
                        } catch (java.io.IOException | java.io.UncheckedIOException e) {
                            return java.util.stream.Stream.of("  " + f + ": unreadable (" + e + ")");
                        }
                    })
                    .limit(40).forEach(System.out::println);
        } catch (java.io.IOException e) {
            System.out.println("  could not read the logs: " + e);
        }
    }

    /** Each edge's calls: where the calling service saw them, or at the server for the demo's own clients. */
    private static void assertMap(List<Map<String, String>> rows, TrafficRecord sent) {
        assertThat(rows).as("map rows").isNotEmpty();
        Map<String, Long> ports = sent.ports();
        sent.edges().forEach((edge, n) -> {
            String client = edge.split("\\|")[0];
            String server = edge.split("\\|")[1];
            boolean demoClient = TrafficDriver.CLIENTS.contains(client);
            long shown = rows.stream().filter(r -> demoClient
                    ? r.get("seen_at").equals("SERVER_PROCESS") && r.get("server").equals(server)
                    : r.get("seen_at").equals("CLIENT_PROCESS") && r.get("client").equals(client)
                            && r.get("server").endsWith(":" + ports.get(server)))
                    .mapToLong(r -> Long.parseLong(r.get("requests"))).sum();
            long errors = rows.stream().filter(r -> demoClient
                    ? r.get("seen_at").equals("SERVER_PROCESS") && r.get("server").equals(server)
                    : r.get("seen_at").equals("CLIENT_PROCESS") && r.get("client").equals(client)
                            && r.get("server").endsWith(":" + ports.get(server)))
                    .mapToLong(r -> Long.parseLong(r.get("client_errors")) + Long.parseLong(r.get("server_errors")))
                    .sum();
            assertThat(shown).as("printed map: calls %s → %s", client, server).isEqualTo(n);
            assertThat(errors).as("printed map: failed calls %s → %s", client, server)
                    .isEqualTo(sent.edgeErrors().getOrDefault(edge, 0L));
        });
    }

    /** Requests and errors per gateway endpoint, as the gateway saw them. */
    private static void assertRed(List<Map<String, String>> rows, TrafficRecord sent) {
        Map<String, long[]> expected = new TreeMap<>();
        sent.endpoints().forEach((k, n) -> {
            int bar = k.lastIndexOf('|');
            long[] v = expected.computeIfAbsent(k.substring(0, bar), e -> new long[2]);
            v[0] += n;
            v[1] += Integer.parseInt(k.substring(bar + 1)) >= 400 ? n : 0;
        });
        assertThat(expected).containsKeys("/api/products/{id}", "/api/orders/{id}", "/api/checkout");
        expected.forEach((endpoint, v) -> {
            Map<String, String> row = rows.stream().filter(r -> r.get("service").equals("gateway")
                    && r.get("endpoint").equals(endpoint) && r.get("seen_at").equals("SERVER_PROCESS"))
                    .findFirst().orElseThrow(() -> new AssertionError("no printed RED row of gateway " + endpoint
                            + ": " + rows));
            assertThat(Long.parseLong(row.get("requests"))).as("printed requests of %s", endpoint).isEqualTo(v[0]);
            assertThat(Long.parseLong(row.get("errors"))).as("printed errors of %s", endpoint).isEqualTo(v[1]);
        });
    }

    /**
     * The tree: the whole chain of one checkout, every hop indented under its caller, with timings. A replay has no
     * threads (a capture does not say which thread made a call), so its traces link the two ends of each call only.
     */
    private static void assertTrace(String section, boolean replayed) {
        List<String> spans = section.lines().filter(l -> l.matches(" +(SERVER|CLIENT) .*")).toList();
        if (replayed) {
            assertThat(spans).as("trace section:%n%s", section).isNotEmpty()
                    .allMatch(l -> l.matches(".* \\+\\d+\\.\\d{3} ms  \\d+\\.\\d{3} ms \\(self .*"));
            return;
        }
        assertThat(spans).as("trace section:%n%s", section).hasSizeGreaterThanOrEqualTo(7);
        assertThat(spans.get(0)).startsWith("  SERVER gateway HTTP1 /api/checkout");
        assertThat(section).contains("    CLIENT gateway HTTP1 /products/{id}", "      SERVER catalog HTTP1",
                "        CLIENT catalog REDIS GET", "    CLIENT gateway HTTP1 /orders", "      SERVER orders HTTP1",
                "        CLIENT orders POSTGRESQL QUERY");
        assertThat(spans).allMatch(l -> l.matches(".* \\+\\d+\\.\\d{3} ms  \\d+\\.\\d{3} ms \\(self .*"));
    }

    /**
     * Per model, requests and tokens at the serving process; per tenant and model, the billed tokens equal to the
     * server's usage (tenants are hashed keys, so each model's per-tenant totals are compared as sorted lists).
     */
    private static void assertLlm(List<Map<String, String>> llm, List<Map<String, String>> billing,
            TrafficRecord sent) {
        Map<String, Map<String, long[]>> byModel = new TreeMap<>();
        sent.llm().forEach((k, n) -> {
            String[] f = k.split("\\|");
            byModel.computeIfAbsent(f[1], m -> new TreeMap<>()).computeIfAbsent(f[0], t -> new long[3])[
                    f[2].equals("requests") ? 0 : f[2].equals("input") ? 1 : 2] += n;
        });
        assertThat(byModel).hasSize(2);
        byModel.forEach((model, tenants) -> {
            Map<String, String> row = llm.stream().filter(r -> r.get("model").equals(model)
                    && r.get("seen_at").equals("SERVER_PROCESS")).findFirst()
                    .orElseThrow(() -> new AssertionError("no printed LLM row of " + model + ": " + llm));
            long[] total = new long[3];
            tenants.values().forEach(v -> {
                for (int i = 0; i < 3; i++) {
                    total[i] += v[i];
                }
            });
            assertThat(Long.parseLong(row.get("requests"))).as("LLM requests of %s", model).isEqualTo(total[0]);
            assertThat(Long.parseLong(row.get("tokens_in"))).as("input tokens of %s", model).isEqualTo(total[1]);
            assertThat(Long.parseLong(row.get("tokens_out"))).as("output tokens of %s", model).isEqualTo(total[2]);
            assertThat(Double.parseDouble(row.get("ttft_p50_ms"))).as("TTFT p50 of %s", model).isPositive();
            assertThat(Double.parseDouble(row.get("tpot_p50_ms"))).as("TPOT p50 of %s", model).isPositive();

            // a run across an hour boundary has two rows per tenant: the sums per tenant are what was billed
            Map<String, long[]> perTenant = new TreeMap<>();
            billing.stream().filter(r -> r.get("model").equals(model)).forEach(r -> {
                long[] v = perTenant.computeIfAbsent(r.get("tenant"), t -> new long[3]);
                v[0] += Long.parseLong(r.get("requests"));
                v[1] += Long.parseLong(r.get("input_tokens"));
                v[2] += Long.parseLong(r.get("output_tokens"));
            });
            List<String> billed = new ArrayList<>();
            perTenant.values().forEach(v -> billed.add(v[0] + "/" + v[1] + "/" + v[2]));
            List<String> usage = new ArrayList<>();
            tenants.values().forEach(v -> usage.add(v[0] + "/" + v[1] + "/" + v[2]));
            billed.sort(Comparator.naturalOrder());
            usage.sort(Comparator.naturalOrder());
            assertThat(billed).as("billed requests/input/output per tenant of %s", model).isEqualTo(usage);
        });
    }
}
