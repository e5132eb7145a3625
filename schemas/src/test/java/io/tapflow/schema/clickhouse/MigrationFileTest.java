package io.tapflow.schema.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MigrationFileTest {

    private static final String GOOD = "-- c\nCREATE TABLE IF NOT EXISTS {{db}}.spans (\n  id String\n) ENGINE = MergeTree "
            + "ORDER BY id;\n";

    @Test
    void parsesAGoodFile() {
        MigrationFile f = MigrationFile.parse("012_spans.sql", GOOD);
        assertThat(f.version()).isEqualTo(12);
        assertThat(f.table()).isEqualTo("spans");
        assertThat(f.checksum()).isEqualTo(DdlRenderer.checksum(GOOD));
        assertThat(f.render("t", ClickHouseDialect.LEGACY))
                .isEqualTo("CREATE TABLE IF NOT EXISTS t.spans (\n  id String\n) ENGINE = MergeTree ORDER BY id");
    }

    @Test
    void badFileNames() {
        for (String name : new String[] {"12_spans.sql", "012-spans.sql", "012_Spans.sql", "012_spans.SQL",
                "spans.sql"}) {
            assertThatThrownBy(() -> MigrationFile.parse(name, GOOD)).as(name)
                    .isInstanceOf(DdlTemplateException.class).hasMessageContaining("NNN_<table>.sql");
        }
    }

    @Test
    void tableMustMatchTheFileName() {
        assertThatThrownBy(() -> MigrationFile.parse("012_traces.sql", GOOD))
                .hasMessageContaining("creates table 'spans' but the file name says 'traces'");
    }

    @Test
    void exactlyOneStatement() {
        assertThatThrownBy(() -> MigrationFile.parse("012_spans.sql", GOOD + "SELECT 1;"))
                .hasMessageContaining("exactly one statement, found 2");
        assertThatThrownBy(() -> MigrationFile.parse("012_spans.sql", "-- nothing\n"))
                .hasMessageContaining("exactly one statement, found 0");
    }

    @Test
    void mustBeCreateTableIfNotExistsInTheDatabasePlaceholder() {
        assertThatThrownBy(() -> MigrationFile.parse("012_spans.sql", GOOD.replace(" IF NOT EXISTS", "")))
                .hasMessageContaining("must start with 'CREATE TABLE IF NOT EXISTS {{db}}.spans ('");
        assertThatThrownBy(() -> MigrationFile.parse("012_spans.sql", GOOD.replace("{{db}}", "tapflow")))
                .hasMessageContaining("must start with");
        assertThatThrownBy(() -> MigrationFile.parse("012_spans.sql",
                "CREATE TABLE IF NOT EXISTS {{db}}.spans (id String)"))
                .hasMessageContaining("ENGINE");
    }

    @Test
    void badPlaceholderFailsAtParseTimeInEitherDialect() {
        // {{CODEC:}} renders to nothing in LEGACY, but it is still checked
        assertThatThrownBy(() -> MigrationFile.parse("012_spans.sql", GOOD.replace("id String", "id String{{CODEC:}}")))
                .isInstanceOf(DdlTemplateException.class).hasMessageContaining("012_spans.sql:3");
    }
}
