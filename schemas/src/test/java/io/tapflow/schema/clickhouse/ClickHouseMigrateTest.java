package io.tapflow.schema.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Argument handling of the command line; applying DDL is tested against a real server in local-stack. */
class ClickHouseMigrateTest {

    @Test
    void usageErrorsExitWith2() {
        assertThat(ClickHouseMigrate.run(new String[] {"--database", "x"}, Map.of())).isEqualTo(2);
        assertThat(ClickHouseMigrate.run(new String[] {"--url", "http://h:1", "--database", "x", "--password", "p"},
                Map.of())).isEqualTo(2);
        assertThat(ClickHouseMigrate.run(new String[] {"--url", "http://h:1", "--database", "x", "--dialect", "new"},
                Map.of())).isEqualTo(2);
        assertThat(ClickHouseMigrate.run(new String[] {"--url", "http://h:1", "--database", "bad-name"}, Map.of()))
                .isEqualTo(2);
        assertThat(ClickHouseMigrate.run(new String[] {"--url", "http://h:1", "--database", "x", "--bogus", "1"},
                Map.of())).isEqualTo(2);
    }
}
