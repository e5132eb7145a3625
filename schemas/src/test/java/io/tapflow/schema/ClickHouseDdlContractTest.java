package io.tapflow.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
  * Static checks of schemas/clickhouse/*.sql: the file layout the migration runner relies on, the dialect rules
  * (what must stay inside placeholders so the DDL runs on ClickHouse 18.16 and on 24.x), and that every table mirrors
  * its Avro record column for column. Syntax and engine behaviour are checked against a real server by
  * src/test/clickhouse/verify_ddl.py.
  */
class ClickHouseDdlContractTest {

    private static final Path DDL_DIR = Paths.get("clickhouse");
    private static final Pattern FILE_NAME = Pattern.compile("(\\d{3})_([a-z0-9_]+)\\.sql");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^}]*)\\}\\}");
    private static final Pattern ALLOWED_PLACEHOLDER = Pattern.compile("db|LC:[A-Za-z0-9()]+|CODEC:[A-Za-z0-9(), ]+"
            + "|TTL:[^}]+");

    /** table → Avro record it mirrors. */
    private static final Map<String, Schema> TABLES = new LinkedHashMap<>();

    static {
        TABLES.put("l7_request_log", RequestLog.SCHEMA$);
        TABLES.put("l4_flow_log", FlowLog.SCHEMA$);
        TABLES.put("app_metrics_1s", RedMetric.SCHEMA$);
        TABLES.put("app_metrics_1m", RedMetric.SCHEMA$);
        TABLES.put("app_map_1m", ServiceMapEdge.SCHEMA$);
        TABLES.put("net_metrics_1m", NetMetric.SCHEMA$);
        TABLES.put("spans", Span.SCHEMA$);
        TABLES.put("traces", Trace.SCHEMA$);
        TABLES.put("service_map_1m", ServiceMapEdge.SCHEMA$);
        TABLES.put("llm_requests", LlmRequest.SCHEMA$);
        TABLES.put("llm_metrics_1m", LlmMetric.SCHEMA$);
        TABLES.put("llm_usage_hourly", LlmUsage.SCHEMA$);
        TABLES.put("dead_letters", DeadLetter.SCHEMA$);
    }

    /** Avro fields deliberately not stored as a column of the mirroring table. */
    private static final Set<String> NOT_STORED = Set.of("traces.spans");

    /** Replay safety: the version column of each table ("" = ReplacingMergeTree without one: immutable twins). */
    private static final Map<String, String> VERSION_COLUMN = Map.ofEntries(
            Map.entry("l7_request_log", ""), Map.entry("l4_flow_log", "sequence"), Map.entry("app_metrics_1s", ""),
            Map.entry("app_metrics_1m", ""), Map.entry("app_map_1m", ""), Map.entry("net_metrics_1m", ""),
            Map.entry("spans", "trace_update_seq"), Map.entry("traces", "update_seq"), Map.entry("service_map_1m", ""),
            Map.entry("llm_requests", "complete"), Map.entry("llm_metrics_1m", ""),
            Map.entry("llm_usage_hourly", "version"), Map.entry("dead_letters", ""));

    record Column(String name, String type, boolean materialized) {
        /** Type with the LowCardinality placeholder removed, i.e. the legacy rendering. */
        String legacyType() {
            return PLACEHOLDER.matcher(type).replaceAll(m -> Matcher.quoteReplacement(
                    m.group(1).startsWith("LC:") ? m.group(1).substring(3) : ""))
                    .trim();
        }

        boolean nullable() {
            return legacyType().startsWith("Nullable(");
        }
    }

    record Ddl(Path file, String text, String table, List<Column> columns, String engine, List<String> orderBy) {}

    private static List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(DDL_DIR)) {
            return s.filter(p -> p.toString().endsWith(".sql")).sorted().collect(Collectors.toList());
        }
    }

    private static Ddl parse(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Matcher create = Pattern.compile("CREATE TABLE IF NOT EXISTS \\{\\{db\\}\\}\\.(\\w+)\\s*\\(").matcher(text);
        assertThat(create.find()).as("%s: CREATE TABLE IF NOT EXISTS {{db}}.<table> (", file).isTrue();
        int engineAt = text.indexOf("\nENGINE = ");
        assertThat(engineAt).as("%s: ENGINE = on its own line", file).isPositive();
        String body = text.substring(create.end(), engineAt).strip();
        assertThat(body).as("%s: column list closes before ENGINE", file).endsWith(")");
        body = body.substring(0, body.length() - 1);
        List<Column> cols = new ArrayList<>();
        for (String line : body.split("\n")) {
            String l = line.replaceAll("--.*$", "").strip();
            if (l.endsWith(",")) {
                l = l.substring(0, l.length() - 1);
            }
            if (l.isEmpty()) {
                continue;
            }
            String[] parts = l.split("\\s+", 2);
            boolean materialized = parts[1].contains(" MATERIALIZED ");
            String type = parts[1].split(" MATERIALIZED ")[0].replaceAll("\\{\\{CODEC:[^}]*\\}\\}", "").strip();
            cols.add(new Column(parts[0], type, materialized));
        }
        String tail = text.substring(engineAt);
        Matcher engine = Pattern.compile("ENGINE = (\\w+\\([^)]*\\))").matcher(tail);
        assertThat(engine.find()).as("%s: engine", file).isTrue();
        Matcher order = Pattern.compile("ORDER BY \\(([^)]*)\\)").matcher(tail);
        assertThat(order.find()).as("%s: ORDER BY (...)", file).isTrue();
        List<String> orderBy = Stream.of(order.group(1).split(",")).map(String::strip).collect(Collectors.toList());
        return new Ddl(file, text, create.group(1), cols, engine.group(1), orderBy);
    }

    @Test
    void everyTableExistsOnceInNumberedFiles() throws IOException {
        List<Path> files = files();
        List<String> tables = new ArrayList<>();
        List<String> numbers = new ArrayList<>();
        for (Path f : files) {
            Matcher m = FILE_NAME.matcher(f.getFileName().toString());
            assertThat(m.matches()).as("file name %s is NNN_<table>.sql", f).isTrue();
            Ddl ddl = parse(f);
            assertThat(ddl.table()).as("table in %s", f).isEqualTo(m.group(2));
            tables.add(ddl.table());
            numbers.add(m.group(1));
        }
        assertThat(numbers).doesNotHaveDuplicates();
        assertThat(tables).containsExactlyInAnyOrderElementsOf(TABLES.keySet());
    }

    @TestFactory
    Stream<DynamicTest> fileRules() throws IOException {
        return files().stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            Ddl ddl = parse(f);
            String text = ddl.text();
            assertThat(text).as("header comment").startsWith("-- " + ddl.table() + ": one row = ");
            assertThat(text).as("header explains how to avoid double counting").contains("double counting");
            assertThat(Pattern.compile("CREATE TABLE").matcher(text).results().count()).isEqualTo(1);
            String sql = text.replaceAll("(?m)--.*$", "").strip();
            assertThat(sql.indexOf(';')).as("at most one ';', at the end").isIn(-1, sql.length() - 1);
            // placeholders: only the four the migration runner renders
            Matcher p = PLACEHOLDER.matcher(sql);
            while (p.find()) {
                assertThat(p.group(1)).as("placeholder in %s", f).matches(ALLOWED_PLACEHOLDER);
            }
            String outside = PLACEHOLDER.matcher(sql).replaceAll("");
            for (String forbidden : List.of("DateTime64", "Map(", "IPv4", "IPv6", "Bool", "LowCardinality", "CODEC",
                    "TTL", "Enum8", "Enum16", "JSON", "Object(")) {
                assertThat(outside).as("%s outside placeholders in %s", forbidden, f).doesNotContain(forbidden);
            }
            // clause order: ENGINE, PARTITION BY, ORDER BY, [TTL], SETTINGS
            int partition = sql.indexOf("\nPARTITION BY ");
            int order = sql.indexOf("\nORDER BY ");
            int ttl = sql.indexOf("{{TTL:");
            int settings = sql.indexOf("\nSETTINGS ");
            assertThat(partition).as("PARTITION BY").isPositive();
            assertThat(order).as("ORDER BY after PARTITION BY").isGreaterThan(partition);
            assertThat(settings).as("SETTINGS after ORDER BY").isGreaterThan(order);
            if (ttl >= 0) {
                assertThat(ttl).as("TTL between ORDER BY and SETTINGS").isGreaterThan(order).isLessThan(settings);
            }
            // keys and version
            Map<String, Column> byName = ddl.columns().stream()
                    .collect(Collectors.toMap(Column::name, c -> c, (a, b) -> a, LinkedHashMap::new));
            for (String key : ddl.orderBy()) {
                assertThat(byName).as("ORDER BY column %s exists", key).containsKey(key);
                assertThat(byName.get(key).nullable()).as("ORDER BY column %s not Nullable", key).isFalse();
            }
            String version = VERSION_COLUMN.get(ddl.table());
            assertThat(ddl.engine()).as("engine of %s", ddl.table()).isEqualTo("ReplacingMergeTree(" + version + ")");
            if (!version.isEmpty()) {
                assertThat(byName.get(version).legacyType()).as("version column type").matches("UInt(8|16|32|64)");
                assertThat(ddl.orderBy()).as("version column is not part of the key").doesNotContain(version);
            }
            // partitioning by a DateTime column derived from the row's own µs/ms time (never insert it)
            for (Column c : ddl.columns()) {
                if (c.materialized()) {
                    assertThat(c.type()).isEqualTo("DateTime");
                    assertThat(sql).containsPattern("PARTITION BY toYYYYMM(DD)?\\(" + c.name() + "\\)");
                }
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> tablesMirrorTheirAvroRecord() {
        return TABLES.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            String table = e.getKey();
            Path file = files().stream()
                    .filter(p -> p.getFileName().toString().matches("\\d{3}_" + table + "\\.sql")).findFirst().orElseThrow();
            Ddl ddl = parse(file);
            Map<String, Column> columns = ddl.columns().stream().filter(c -> !c.materialized())
                    .collect(Collectors.toMap(Column::name, c -> c, (a, b) -> a, LinkedHashMap::new));
            Map<String, Column> unmatched = new LinkedHashMap<>(columns);
            for (Schema.Field f : e.getValue().getFields()) {
                String where = table + "." + f.name();
                if (NOT_STORED.contains(where)) {
                    continue;
                }
                boolean avroNullable = f.schema().getType() == Schema.Type.UNION;
                Schema t = avroNullable ? f.schema().getTypes().get(1) : f.schema();
                if (t.getType() == Schema.Type.MAP) {
                    assertThat(f.name()).as(where).isEqualTo("attributes");
                    assertThat(columns.get("attribute_names")).as(where + " -> attribute_names").isNotNull();
                    assertThat(columns.get("attribute_names").legacyType()).isEqualTo("Array(String)");
                    assertThat(columns.get("attribute_values").legacyType()).isEqualTo("Array(String)");
                    unmatched.remove("attribute_names");
                    unmatched.remove("attribute_values");
                    continue;
                }
                String name = t.getType() == Schema.Type.BYTES ? f.name() + "_hex" : f.name();
                Column c = columns.get(name);
                assertThat(c).as("column %s.%s for Avro field %s", table, name, f.name()).isNotNull();
                unmatched.remove(name);
                assertThat(c.nullable()).as("%s Nullable iff the Avro field is optional", where).isEqualTo(avroNullable);
                String base = c.legacyType().replaceAll("^Nullable\\((.*)\\)$", "$1");
                switch (t.getType()) {
                    case STRING, ENUM, BYTES -> assertThat(base).as(where).isEqualTo("String");
                    case BOOLEAN -> assertThat(base).as(where).isEqualTo("UInt8");
                    case INT -> assertThat(base).as(where).matches("U?Int(16|32|64)");
                    case LONG -> assertThat(base).as(where).matches("U?Int(32|64)");
                    case DOUBLE -> assertThat(base).as(where).isEqualTo("Float64");
                    case ARRAY -> assertThat(base).as(where).isEqualTo("Array(UInt64)");
                    default -> throw new AssertionError("no ClickHouse mapping rule for " + where + " " + t);
                }
            }
            assertThat(unmatched.keySet()).as("%s columns without an Avro field", table).isEmpty();
        }));
    }
}
