package io.tapflow.localstack.grafana;

import static org.assertj.core.api.Assertions.assertThat;

import com.clickhouse.client.api.Client;
import io.tapflow.localstack.clickhouse.ClickHouseHttp;
import io.tapflow.localstack.clickhouse.ClickHouseServer;
import io.tapflow.localstack.prometheus.PrometheusServer;
import io.tapflow.schema.clickhouse.ChecksumPolicy;
import io.tapflow.schema.clickhouse.ClickHouseMigrator;
import io.tapflow.schema.clickhouse.MigrationSource;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every dashboard query runs on the real ClickHouse 18.16 with tapflow's tables and on the real Prometheus: no
 * syntax or dialect error, no unknown column. That they return rows on real traffic is checked where the demo
 * generates it (DemoITCase); here the tables are empty.
 */
class DashboardQueriesITCase {

    private static final String DB = "dashboards_it";

    @Test
    void everyQueryRunsOnTheRealServers() {
        ClickHouseServer clickhouse = ClickHouseServer.shared();
        clickhouse.query("DROP DATABASE IF EXISTS " + DB);
        try (Client admin = clickhouse.newClient("default")) {
            new ClickHouseMigrator(admin, DB, null, ChecksumPolicy.FAIL).migrate(MigrationSource.tapflowDdl());
        }
        DashboardCheck check = new DashboardCheck(new ClickHouseHttp(clickhouse.httpUrl(), DB, "default", ""),
                PrometheusServer.shared().url());
        long now = System.currentTimeMillis();
        List<DashboardCheck.Outcome> outcomes = check.run(GrafanaDashboards.load(GrafanaDashboardsTest.DASHBOARDS),
                now - 3_600_000, now);
        outcomes.forEach(System.out::println);
        assertThat(outcomes).hasSizeGreaterThan(20);
        assertThat(outcomes).allSatisfy(o -> assertThat(o.error()).as("%s\n%s", o.query().describe(), o.expanded())
                .isNull());
    }
}
