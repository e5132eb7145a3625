package io.tapflow.localstack.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.clickhouse.client.api.Client;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tapflow.localstack.clickhouse.ClickHouseServer;
import io.tapflow.schema.clickhouse.ChecksumPolicy;
import io.tapflow.schema.clickhouse.ClickHouseMigrator;
import io.tapflow.schema.clickhouse.MigrationSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ./tapflow query against the real ClickHouse 18.16 with tapflow's DDL: each view runs, reads FINAL (a replayed
 * twin row does not count twice) and prints the numbers of the rows inserted; a trace renders as a tree with the
 * right parent/child structure and as OTLP/JSON.
 */
class QueryMainITCase {

    private static final String DB = "query_it";
    private static final String TRACE = "0123456789abcdef0123456789abcdef";
    private static ClickHouseServer clickhouse;

    @BeforeAll
    static void tables() {
        clickhouse = ClickHouseServer.shared();
        clickhouse.query("DROP DATABASE IF EXISTS " + DB);
        try (Client admin = clickhouse.newClient("default")) {
            new ClickHouseMigrator(admin, DB, null, ChecksumPolicy.FAIL).migrate(MigrationSource.tapflowDdl());
        }
        // every row twice, as a replay after a failure writes it: FINAL must count it once
        for (int twice = 0; twice < 2; twice++) {
            insert("app_map_1m", "{\"window_start_ms\":1700000040000,\"window_size_ms\":60000,"
                    + "\"client_service\":\"gateway\",\"server_service\":\"orders\",\"l7_protocol\":\"HTTP1\","
                    + "\"observation_point\":\"SERVER_PROCESS\",\"requests\":40,\"client_errors\":2,"
                    + "\"server_errors\":1,\"timeouts\":0,\"latency_count\":40,\"latency_sum_us\":80000,"
                    + "\"latency_max_us\":9000,\"latency_sketch_hex\":\"\"}");
            insert("app_metrics_1m", "{\"window_start_ms\":1700000040000,\"window_size_ms\":60000,"
                    + "\"service\":\"orders\",\"endpoint\":\"GET /orders/{id}\",\"l7_protocol\":\"HTTP1\","
                    + "\"observation_point\":\"SERVER_PROCESS\",\"requests\":40,\"client_errors\":2,"
                    + "\"server_errors\":1,\"timeouts\":0,\"latency_count\":40,\"latency_sum_us\":80000,"
                    + "\"latency_max_us\":9000,\"latency_sketch_hex\":\"\",\"latency_p99_us\":8500}");
            span("aaaaaaaaaaaaaaa1", null, "SERVER", "gateway", "GET /checkout", 0, 9000, 1000);
            span("aaaaaaaaaaaaaaa2", "aaaaaaaaaaaaaaa1", "CLIENT", "gateway", "GET /orders/{id}", 500, 8500, 100);
            span("aaaaaaaaaaaaaaa3", "aaaaaaaaaaaaaaa2", "SERVER", "orders", "GET /orders/{id}", 600, 8400, 7800);
            insert("traces", "{\"trace_id\":\"" + TRACE + "\",\"root_service\":\"gateway\",\"root_endpoint\":"
                    + "\"GET /checkout\",\"start_time_us\":1700000045000000,\"end_time_us\":1700000045009000,"
                    + "\"duration_us\":9000,\"span_count\":3,\"error_count\":0,\"complete\":1,\"update_seq\":1}");
            for (int i = 0; i < 4; i++) {
                insert("llm_requests", "{\"request_id\":\"r" + i + "\",\"agent_id\":\"a\",\"service\":\"vllm\","
                        + "\"provider\":\"openai\",\"model\":\"llama-3\",\"operation\":\"chat\",\"stream\":1,"
                        + "\"observation_point\":\"SERVER_PROCESS\",\"tenant\":\"t1\",\"start_time_us\":"
                        + "1700000045000000,\"ttft_us\":" + (100_000 + i * 10_000) + ",\"tpot_us\":20000,"
                        + "\"e2e_us\":500000,\"input_tokens\":10,\"output_tokens\":20,\"tokens_estimated\":0,"
                        + "\"tokens_per_second\":50,\"finish_reason\":\"stop\",\"status\":\"OK\","
                        + "\"response_code\":200,\"complete\":1,\"error\":null}");
            }
            insert("llm_usage_hourly", "{\"usage_id\":\"u1\",\"tenant\":\"t1\",\"model\":\"llama-3\","
                    + "\"hour_start_ms\":1699999200000,\"requests\":4,\"input_tokens\":40,\"output_tokens\":80,"
                    + "\"estimated_requests\":0,\"version\":4}");
        }
    }

    @Test
    void mapAndRedCountEachWindowOnce() {
        Result map = query("map");
        assertThat(map.code).as(map.err).isZero();
        assertThat(map.out).as("no ANSI codes").doesNotContain("\u001B").contains("─client──┬─server─")
                .contains("gateway").contains("orders").containsPattern("│ +40 │ +2 │ +1 │ +0 │ +2 │ +9 │");
        Result red = query("red");
        assertThat(red.code).as(red.err).isZero();
        assertThat(red.out).contains("GET /orders/{id}").containsPattern("│ +40 │ +3 │ +0 │ +2 │ +8\\.5 │ +9 │");
    }

    @Test
    void traceIsATreeAndOtlp() throws Exception {
        Result traces = query("traces");
        assertThat(traces.out).contains(TRACE).containsPattern("│ +3 │ +0 │ +9 │ +1 │");
        Result tree = query("trace", TRACE);
        assertThat(tree.code).as(tree.err).isZero();
        assertThat(tree.out.lines().toList()).containsExactly(
                "trace " + TRACE + ": 3 spans, 9.000 ms",
                "  SERVER gateway HTTP1 GET /checkout  +0.000 ms  9.000 ms (self 1.000 ms)  OK 200",
                "    CLIENT gateway HTTP1 GET /orders/{id}  +0.500 ms  8.000 ms (self 0.100 ms)  OK 200",
                "      SERVER orders HTTP1 GET /orders/{id}  +0.600 ms  7.800 ms (self 7.800 ms)  OK 200");
        Result otlp = query("trace", TRACE, "--otlp");
        JsonNode json = new ObjectMapper().readTree(otlp.out);
        assertThat(json.path("resourceSpans")).hasSize(2);
        JsonNode gateway = json.path("resourceSpans").get(0);
        assertThat(gateway.path("resource").path("attributes").get(0).path("value").path("stringValue").asText())
                .isEqualTo("gateway");
        JsonNode client = gateway.path("scopeSpans").get(0).path("spans").get(1);
        assertThat(client.path("parentSpanId").asText()).isEqualTo("aaaaaaaaaaaaaaa1");
        assertThat(client.path("kind").asInt()).isEqualTo(3);
        assertThat(client.path("startTimeUnixNano").asText()).isEqualTo("1700000045000500000");
        assertThat(query("trace", "not-a-trace-id").code).isEqualTo(2);
        assertThat(query("trace", "ffffffffffffffffffffffffffffffff").code).isEqualTo(1);
    }

    @Test
    void llmAndUsage() {
        Result llm = query("llm");
        assertThat(llm.code).as(llm.err).isZero();
        assertThat(llm.out).contains("llama-3").containsPattern("│ +4 │ +0 │ +0 │ +1[01]\\d(\\.\\d)? │");
        Result usage = query("usage");
        assertThat(usage.out).contains("t1").containsPattern("│ +4 │ +40 │ +80 │ +0 │");
    }

    private static void span(String id, String parent, String kind, String service, String endpoint, long startUs,
            long endUs, long selfUs) {
        long base = 1_700_000_045_000_000L;
        insert("spans", "{\"trace_id\":\"" + TRACE + "\",\"span_id\":\"" + id + "\",\"parent_span_id\":"
                + (parent == null ? "null" : "\"" + parent + "\"") + ",\"kind\":\"" + kind + "\",\"service\":\""
                + service + "\",\"endpoint\":\"" + endpoint + "\",\"l7_protocol\":\"HTTP1\",\"start_time_us\":"
                + (base + startUs) + ",\"end_time_us\":" + (base + endUs) + ",\"self_time_us\":" + selfUs
                + ",\"status\":\"OK\",\"response_code\":200,\"log_id\":\"l-" + id + "\",\"agent_id\":\"a\","
                + "\"link_rule\":\"tcp_seq\",\"trace_update_seq\":1,\"attribute_names\":[],\"attribute_values\":[]}");
    }

    private static void insert(String table, String json) {
        clickhouse.query("INSERT INTO " + DB + "." + table + " FORMAT JSONEachRow " + json);
    }

    private static Result query(String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--clickhouse";
        all[args.length + 1] = clickhouse.httpUrl();
        all[args.length + 2] = "--database";
        all[args.length + 3] = DB;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = QueryMain.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        Result r = new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        System.out.println("query " + List.of(args) + " -> " + code + "\n" + r.out + r.err);
        return r;
    }

    private record Result(int code, String out, String err) {
    }
}
