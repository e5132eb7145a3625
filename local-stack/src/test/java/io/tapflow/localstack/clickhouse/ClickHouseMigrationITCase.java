package io.tapflow.localstack.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.clickhouse.client.api.Client;
import com.clickhouse.data.ClickHouseFormat;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tapflow.schema.clickhouse.ChecksumMismatchException;
import io.tapflow.schema.clickhouse.ChecksumPolicy;
import io.tapflow.schema.clickhouse.ClickHouseDialect;
import io.tapflow.schema.clickhouse.ClickHouseMigrate;
import io.tapflow.schema.clickhouse.ClickHouseMigrator;
import io.tapflow.schema.clickhouse.MigrationFile;
import io.tapflow.schema.clickhouse.MigrationSource;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The migration runner against the real ClickHouse server (Debian's 18.16 here). Runs for two DDL sets:
 * {@code clickhouse/} — the real tables shipped by tapflow-schemas — and
 * {@code clickhouse-test/}, small fixtures of this module written to the same conventions. Every table is found
 * through {@code system.tables}, so new DDL files are covered without touching this test.
 */
class ClickHouseMigrationITCase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger DATABASES = new AtomicInteger();
    static final String FIXTURE_DIR = "clickhouse-test";

    static Stream<String> ddlSets() {
        return Stream.of(MigrationSource.DEFAULT_DIR, FIXTURE_DIR);
    }

    private static List<MigrationFile> load(String dir) {
        List<MigrationFile> files = MigrationSource.fromClasspath(dir, ClickHouseMigrationITCase.class.getClassLoader());
        assertThat(files).as("DDL files under classpath %s/", dir).hasSizeGreaterThanOrEqualTo(3);
        return files;
    }

    private static String freshDatabase(String dir) {
        return "it_" + dir.replaceAll("[^a-z]", "_") + "_" + DATABASES.incrementAndGet();
    }

    private static ClickHouseServer server() {
        return ClickHouseServer.shared();
    }

    @ParameterizedTest
    @MethodSource("ddlSets")
    void applyingTwiceIsANoOp(String dir) throws Exception {
        List<MigrationFile> files = load(dir);
        String db = freshDatabase(dir);
        try (Client client = server().newClient("default")) {
            ClickHouseMigrator migrator = new ClickHouseMigrator(client, db, null, ChecksumPolicy.FAIL);
            ClickHouseMigrator.Report first = migrator.migrate(files);

            String version = server().query("SELECT version() FORMAT TabSeparated").trim();
            assertThat(first.dialect()).isEqualTo(ClickHouseDialect.forVersion(version));
            assertThat(first.applied()).containsExactlyElementsOf(files);
            assertThat(first.alreadyApplied()).isEmpty();
            assertThat(tables(db)).containsExactlyInAnyOrderElementsOf(
                    Stream.concat(files.stream().map(MigrationFile::table),
                            Stream.of(ClickHouseMigrator.MIGRATIONS_TABLE)).collect(Collectors.toList()));
            assertThat(migrator.applied())
                    .extracting(ClickHouseMigrator.Applied::file, ClickHouseMigrator.Applied::checksum,
                            ClickHouseMigrator.Applied::dialect)
                    .containsExactlyElementsOf(files.stream()
                            .map(f -> org.assertj.core.groups.Tuple.tuple(f.fileName(), f.checksum(),
                                    first.dialect().name()))
                            .collect(Collectors.toList()));
            Map<String, String> before = snapshot(db);

            ClickHouseMigrator.Report second = migrator.migrate(files);
            assertThat(second.applied()).isEmpty();
            assertThat(second.alreadyApplied()).containsExactlyElementsOf(files);
            assertThat(second.changed()).isEmpty();
            assertThat(snapshot(db)).isEqualTo(before);
        }
    }

    @ParameterizedTest
    @MethodSource("ddlSets")
    void everyTableTakesARowAndGivesItBack(String dir) throws Exception {
        List<MigrationFile> files = load(dir);
        String db = freshDatabase(dir);
        List<String> checked = new ArrayList<>();
        try (Client admin = server().newClient("default")) {
            new ClickHouseMigrator(admin, db, null, ChecksumPolicy.FAIL).migrate(files);
        }
        // unqualified table names below: the client's default database must reach the server
        try (Client client = server().newClient(db)) {
            for (String table : tables(db)) {
                if (table.equals(ClickHouseMigrator.MIGRATIONS_TABLE)) {
                    continue;
                }
                roundTrip(client, db, table);
                checked.add(table);
            }
        }
        assertThat(checked).containsExactlyInAnyOrderElementsOf(
                files.stream().map(MigrationFile::table).collect(Collectors.toList()));
        if (dir.equals(MigrationSource.DEFAULT_DIR)) {
            // at-least-once writers rely on it: every shipped table collapses replayed rows
            assertThat(server().query("SELECT name, engine FROM system.tables WHERE database = '" + db
                    + "' AND name != '" + ClickHouseMigrator.MIGRATIONS_TABLE + "' AND engine NOT LIKE 'Replacing%'"
                    + " FORMAT TabSeparated").trim()).as("shipped tables that are not ReplacingMergeTree").isEmpty();
        }
    }

    @Test
    void changedFileIsRefusedOrReported() throws Exception {
        List<MigrationFile> files = load(FIXTURE_DIR);
        String db = freshDatabase("changed");
        MigrationFile original = files.get(0);
        MigrationFile edited = MigrationFile.parse(original.fileName(), original.text() + "\n-- edited later\n");
        MigrationFile extra = MigrationFile.parse("099_fixture_extra.sql",
                "CREATE TABLE IF NOT EXISTS {{db}}.fixture_extra (id UInt32) ENGINE = MergeTree ORDER BY id");
        try (Client client = server().newClient("default")) {
            new ClickHouseMigrator(client, db, null, ChecksumPolicy.FAIL).migrate(files);

            List<MigrationFile> changedSet = new ArrayList<>(files);
            changedSet.set(0, edited);
            changedSet.add(extra);
            assertThatThrownBy(() -> new ClickHouseMigrator(client, db, null, ChecksumPolicy.FAIL).migrate(changedSet))
                    .isInstanceOf(ChecksumMismatchException.class)
                    .hasMessageContaining(original.fileName())
                    .hasMessageContaining(original.checksum())
                    .hasMessageContaining(edited.checksum());
            assertThat(tables(db)).as("nothing applied after a mismatch").doesNotContain("fixture_extra");

            ClickHouseMigrator.Report warned =
                    new ClickHouseMigrator(client, db, null, ChecksumPolicy.WARN).migrate(changedSet);
            assertThat(warned.changed()).extracting(c -> c.file().fileName()).containsExactly(original.fileName());
            assertThat(warned.applied()).containsExactly(extra);
            assertThat(tables(db)).contains("fixture_extra");
        }
    }

    @Test
    void commandLineAppliesADirectoryOnce() throws Exception {
        Path ddlDir = Path.of(getClass().getClassLoader().getResource(FIXTURE_DIR).toURI());
        String db = freshDatabase("cli");
        String[] args = {"--url", server().httpUrl(), "--database", db, "--ddl-dir", ddlDir.toString(),
            "--dialect", "legacy"};
        assertThat(ClickHouseMigrate.run(args, Map.of())).isEqualTo(0);
        assertThat(ClickHouseMigrate.run(args, Map.of())).isEqualTo(0);
        assertThat(server().query("SELECT count(), uniqExact(version), any(dialect) FROM " + db
                + ".schema_migrations FORMAT TabSeparated")).isEqualTo("3\t3\tLEGACY\n");
        // wrong password from the environment: the server refuses, the CLI says so
        assertThat(ClickHouseMigrate.run(args, Map.of(ClickHouseMigrate.PASSWORD_ENV, "wrong"))).isEqualTo(1);
    }

    // ---------------------------------------------------------------------------------------------------------

    private static List<String> tables(String db) {
        String tsv = server().query("SELECT name FROM system.tables WHERE database = '" + db
                + "' ORDER BY name FORMAT TabSeparated");
        return tsv.lines().collect(Collectors.toList());
    }

    /** schema_migrations rows and SHOW CREATE TABLE of every table. */
    private static Map<String, String> snapshot(String db) {
        Map<String, String> s = new TreeMap<>();
        s.put("#rows", server().query("SELECT * FROM " + db + ".schema_migrations ORDER BY version "
                + "FORMAT TabSeparated"));
        for (String t : tables(db)) {
            s.put(t, server().query("SHOW CREATE TABLE " + db + ".`" + t + "` FORMAT TabSeparated"));
        }
        return s;
    }

    private static void roundTrip(Client client, String db, String table) throws Exception {
        Map<String, String> types = new LinkedHashMap<>();
        for (String line : server().query("SELECT name, type, default_kind FROM system.columns WHERE database = '"
                + db + "' AND table = '" + table + "' FORMAT JSONEachRow").split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode c = JSON.readTree(line);
            String kind = c.path("default_kind").asText();
            if (!kind.equals("MATERIALIZED") && !kind.equals("ALIAS")) {
                types.put(c.path("name").asText(), c.path("type").asText());
            }
        }
        assertThat(types).as("insertable columns of %s", table).isNotEmpty();
        ObjectNode row = JsonNodeFactory.instance.objectNode();
        types.forEach((name, type) -> row.set(name, sample(name, type, table)));

        client.insert(table, new ByteArrayInputStream((row + "\n").getBytes(StandardCharsets.UTF_8)),
                ClickHouseFormat.JSONEachRow).get(60, TimeUnit.SECONDS).close();

        String columns = types.keySet().stream().map(n -> "`" + n + "`").collect(Collectors.joining(", "));
        String out = server().query("SELECT " + columns + " FROM " + db + ".`" + table + "` FORMAT JSONEachRow");
        List<String> lines = out.lines().collect(Collectors.toList());
        assertThat(lines).as("rows read back from %s", table).hasSize(1);
        JsonNode back = JSON.readTree(lines.get(0));
        for (Map.Entry<String, String> c : types.entrySet()) {
            JsonNode expected = row.get(c.getKey());
            JsonNode actual = back.get(c.getKey());
            assertThat(actual).as("%s.%s (%s) read back", table, c.getKey(), c.getValue()).isNotNull();
            assertThat(same(expected, actual))
                    .as("%s.%s (%s): wrote %s, read %s", table, c.getKey(), c.getValue(), expected, actual)
                    .isTrue();
        }

        String engine = server().query("SELECT engine FROM system.tables WHERE database = '" + db + "' AND name = '"
                + table + "' FORMAT TabSeparated").trim();
        if (engine.startsWith("Replacing")) {
            // a replay after a failure writes the same row again: the table must keep one (what users count)
            client.insert(table, new ByteArrayInputStream((row + "\n").getBytes(StandardCharsets.UTF_8)),
                    ClickHouseFormat.JSONEachRow).get(60, TimeUnit.SECONDS).close();
            String qualified = db + ".`" + table + "`";
            assertThat(server().query("SELECT count() FROM " + qualified + " FINAL FORMAT TabSeparated").trim())
                    .as("%s: a replayed twin counted with FINAL", table).isEqualTo("1");
            server().query("OPTIMIZE TABLE " + qualified + " FINAL");
            assertThat(server().query("SELECT count() FROM " + qualified + " FORMAT TabSeparated").trim())
                    .as("%s: rows left after merging a replayed twin", table).isEqualTo("1");
        }
    }

    private static final Pattern WRAPPER = Pattern.compile("(LowCardinality|Nullable|Array)\\((.*)\\)");
    private static final Pattern ENUM_FIRST = Pattern.compile("Enum(?:8|16)\\('((?:[^'\\\\]|\\\\.)*)'\\s*=");
    private static final Pattern FIXED = Pattern.compile("FixedString\\((\\d+)\\)");
    private static final Pattern DECIMAL_SCALE =
            Pattern.compile("Decimal(?:32|64|128|256)?\\((?:\\d+\\s*,\\s*)?(\\d+)\\)");
    private static final Pattern DATETIME64 = Pattern.compile("DateTime64\\((\\d+)(?:\\s*,.*)?\\)");

    /** A value of {@code type} to insert as JSON; extend it when the DDL uses a type not covered here. */
    static JsonNode sample(String column, String type, String table) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        Matcher w = WRAPPER.matcher(type);
        if (w.matches()) {
            if (w.group(1).equals("Array")) {
                ArrayNode a = f.arrayNode();
                a.add(sample(column, w.group(2), table));
                a.add(sample(column, w.group(2), table));
                return a;
            }
            return sample(column, w.group(2), table);
        }
        if (type.equals("String")) {
            return f.textNode("v-" + column);
        }
        Matcher fixed = FIXED.matcher(type);
        if (fixed.matches()) {
            return f.textNode("x".repeat(Integer.parseInt(fixed.group(1))));
        }
        if (type.matches("U?Int(8|16|32|64)")) {
            return f.numberNode(7);
        }
        if (type.matches("Float(32|64)")) {
            return f.numberNode(1.5);
        }
        Matcher dec = DECIMAL_SCALE.matcher(type);
        if (dec.matches()) {
            return Integer.parseInt(dec.group(1)) == 0 ? f.numberNode(2) : f.numberNode(new BigDecimal("1.5"));
        }
        if (type.equals("Date")) {
            return f.textNode("2024-01-02");
        }
        if (type.equals("DateTime") || type.startsWith("DateTime(")) {
            return f.textNode("2024-01-02 03:04:05");
        }
        Matcher dt64 = DATETIME64.matcher(type);
        if (dt64.matches()) {
            int p = Integer.parseInt(dt64.group(1));
            return f.textNode("2024-01-02 03:04:05" + (p == 0 ? "" : "." + "123456789".substring(0, p)));
        }
        if (type.equals("UUID")) {
            return f.textNode("123e4567-e89b-12d3-a456-426614174000");
        }
        Matcher en = ENUM_FIRST.matcher(type);
        if (en.lookingAt()) {
            return f.textNode(en.group(1).replace("\\'", "'"));
        }
        if (type.equals("Bool")) {
            return f.booleanNode(true);
        }
        if (type.equals("IPv4")) {
            return f.textNode("10.1.2.3");
        }
        if (type.equals("IPv6")) {
            return f.textNode("2001:db8::1");
        }
        throw new AssertionError("no sample value for " + table + "." + column + " of type " + type
                + ": add one to ClickHouseMigrationITCase.sample");
    }

    /** Field equality: numbers by value (ClickHouse quotes 64-bit integers and pads decimals), the rest by text. */
    static boolean same(JsonNode expected, JsonNode actual) {
        if (expected.isArray()) {
            if (!actual.isArray() || actual.size() != expected.size()) {
                return false;
            }
            Iterator<JsonNode> a = actual.elements();
            for (JsonNode e : expected) {
                if (!same(e, a.next())) {
                    return false;
                }
            }
            return true;
        }
        if (expected.isNumber()) {
            try {
                return new BigDecimal(actual.asText()).compareTo(expected.decimalValue()) == 0;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return !actual.isContainerNode() && !actual.isNull() && expected.asText().equals(actual.asText());
    }
}
