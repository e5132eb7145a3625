package io.tapflow.schema.clickhouse;

import static io.tapflow.schema.clickhouse.ClickHouseDialect.LEGACY;
import static io.tapflow.schema.clickhouse.ClickHouseDialect.MODERN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DdlRendererTest {

    private static final String TEMPLATE = """
            -- request log: one row per L7 request
            CREATE TABLE IF NOT EXISTS {{db}}.l7 (
                ts DateTime,
                service {{LC:String}},   -- the server side
                method {{LC:Nullable(String)}},
                latency_us UInt64{{CODEC:T64, ZSTD(1)}},
                note String DEFAULT '-- not a comment; {{db}} inside a literal'
            ) ENGINE = MergeTree
            PARTITION BY toYYYYMMDD(ts)
            ORDER BY (service, ts)
            {{TTL:ts + INTERVAL 30 DAY}};
            """;

    @Test
    void modernDialect() {
        String sql = DdlRenderer.render("f.sql", TEMPLATE, "tapflow", MODERN).get(0);
        assertThat(sql)
                .startsWith("CREATE TABLE IF NOT EXISTS tapflow.l7 (")
                .contains("service LowCardinality(String),")
                .contains("method LowCardinality(Nullable(String)),")
                .contains("latency_us UInt64 CODEC(T64, ZSTD(1)),")
                .contains("ORDER BY (service, ts)\nTTL ts + INTERVAL 30 DAY")
                .doesNotContain("{{", "}}", "the server side", "one row per")
                .doesNotEndWith(";");
    }

    @Test
    void legacyDialect() {
        String sql = DdlRenderer.render("f.sql", TEMPLATE, "tapflow", LEGACY).get(0);
        assertThat(sql)
                .startsWith("CREATE TABLE IF NOT EXISTS tapflow.l7 (")
                .contains("service String,")
                .contains("method Nullable(String),")
                .contains("latency_us UInt64,")
                .doesNotContain("LowCardinality", "CODEC", "TTL", "{{", "}}")
                .endsWith("ORDER BY (service, ts)");
    }

    @Test
    void literalsAndQuotedIdentifiersAreLeftAlone() {
        String sql = DdlRenderer.render("f.sql", TEMPLATE, "tapflow", LEGACY).get(0);
        // -- and ; inside a string literal are not a comment / a statement end; placeholders there are substituted
        assertThat(sql).contains("note String DEFAULT '-- not a comment; tapflow inside a literal'");
        assertThat(DdlRenderer.splitStatements("f", "SELECT 'a;b', `x;y`, \"p;q\", 'it''s;'; SELECT 2"))
                .containsExactly("SELECT 'a;b', `x;y`, \"p;q\", 'it''s;'", "SELECT 2");
        assertThat(DdlRenderer.splitStatements("f", "SELECT 'a\\';b'")).containsExactly("SELECT 'a\\';b'");
    }

    @Test
    void commentsKeepLineNumbers() {
        String text = "-- one\n/* two\nthree */ SELECT 1 -- four\n";
        String stripped = DdlRenderer.stripComments("f", text);
        assertThat(stripped.lines()).hasSize(3);
        assertThat(stripped.strip()).isEqualTo("SELECT 1");
    }

    @Test
    void unknownPlaceholderIsAnErrorNamingFileAndLine() {
        assertThatThrownBy(() -> DdlRenderer.render("007_x.sql",
                "CREATE TABLE IF NOT EXISTS {{db}}.x (\n  a {{LowCard:String}}\n) ENGINE = Log", "d", LEGACY))
                .isInstanceOf(DdlTemplateException.class)
                .hasMessageContaining("007_x.sql:2")
                .hasMessageContaining("unknown placeholder '{{LowCard:String}}'")
                .hasMessageContaining("{{LC:T}}");
        assertThatThrownBy(() -> DdlRenderer.render("f", "SELECT {{database}}", "d", MODERN))
                .hasMessageContaining("unknown placeholder '{{database}}'");
        assertThatThrownBy(() -> DdlRenderer.render("f", "SELECT {{db:x}}", "d", MODERN))
                .hasMessageContaining("unknown placeholder '{{db:x}}'");
    }

    @Test
    void malformedPlaceholdersAreErrors() {
        assertThatThrownBy(() -> DdlRenderer.render("f", "SELECT 1\n{{LC:String", "d", MODERN))
                .isInstanceOf(DdlTemplateException.class).hasMessageContaining("f:2: unclosed placeholder");
        assertThatThrownBy(() -> DdlRenderer.render("f", "a {{LC:{{db}}}}", "d", MODERN))
                .isInstanceOf(DdlTemplateException.class).hasMessageContaining("unclosed placeholder");
        assertThatThrownBy(() -> DdlRenderer.render("f", "a {LC:String}}", "d", MODERN))
                .isInstanceOf(DdlTemplateException.class).hasMessageContaining("'}}' without an opening");
        assertThatThrownBy(() -> DdlRenderer.render("f", "a {{CODEC:}}", "d", MODERN))
                .isInstanceOf(DdlTemplateException.class).hasMessageContaining("needs an argument");
        assertThatThrownBy(() -> DdlRenderer.render("f", "a {{TTL}}", "d", LEGACY))
                .isInstanceOf(DdlTemplateException.class).hasMessageContaining("needs an argument");
        assertThatThrownBy(() -> DdlRenderer.render("f", "SELECT 'open", "d", LEGACY))
                .isInstanceOf(DdlTemplateException.class).hasMessageContaining("unclosed ' quote");
        assertThatThrownBy(() -> DdlRenderer.render("f", "SELECT 1 /* open", "d", LEGACY))
                .isInstanceOf(DdlTemplateException.class).hasMessageContaining("unclosed /* comment");
    }

    @Test
    void placeholdersInCommentsAreIgnored() {
        assertThat(DdlRenderer.render("f", "-- write {{LC:T}} or {{nonsense}}\nSELECT 1", "d", MODERN))
                .containsExactly("SELECT 1");
    }

    @Test
    void databaseNamesAreValidated() {
        assertThatThrownBy(() -> DdlRenderer.render("f", "SELECT 1", "x; DROP TABLE y", LEGACY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("database name");
        assertThat(DdlRenderer.render("f", "SELECT 1 FROM {{db}}.t", "tapflow_1", LEGACY))
                .containsExactly("SELECT 1 FROM tapflow_1.t");
    }

    @Test
    void checksumIsOfTheTextAndIgnoresLineEndings() {
        String lf = "CREATE TABLE x\n(a String)\n";
        assertThat(DdlRenderer.checksum(lf)).hasSize(64).isEqualTo(DdlRenderer.checksum(lf.replace("\n", "\r\n")));
        assertThat(DdlRenderer.checksum(lf)).isNotEqualTo(DdlRenderer.checksum(lf + " "));
        // sha256("abc")
        assertThat(DdlRenderer.checksum("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void dialectFromVersion() {
        assertThat(ClickHouseDialect.forVersion("18.16.1")).isEqualTo(LEGACY);
        assertThat(ClickHouseDialect.forVersion("20.12.8.5")).isEqualTo(LEGACY);
        assertThat(ClickHouseDialect.forVersion("21.1.2.15")).isEqualTo(MODERN);
        assertThat(ClickHouseDialect.forVersion("24.8.4.13\n")).isEqualTo(MODERN);
        assertThatThrownBy(() -> ClickHouseDialect.forVersion("unknown")).hasMessageContaining("unknown");
        assertThat(ClickHouseDialect.parseOrAuto("auto")).isNull();
        assertThat(ClickHouseDialect.parseOrAuto("Legacy")).isEqualTo(LEGACY);
        assertThatThrownBy(() -> ClickHouseDialect.parseOrAuto("new")).hasMessageContaining("auto, legacy or modern");
    }
}
