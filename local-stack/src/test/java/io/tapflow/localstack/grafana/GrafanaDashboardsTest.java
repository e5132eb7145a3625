package io.tapflow.localstack.grafana;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapflow.localstack.grafana.GrafanaDashboards.Dashboard;
import io.tapflow.localstack.grafana.GrafanaDashboards.PanelQuery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GrafanaDashboardsTest {

    static final Path DASHBOARDS = Path.of("..", "deploy", "grafana", "dashboards");

    @Test
    void theSixDashboardsOfTheIssueExistWithUniqueUids() {
        List<Dashboard> dashboards = GrafanaDashboards.load(DASHBOARDS);
        assertThat(dashboards).extracting(Dashboard::title).containsExactlyInAnyOrder(
                "tapflow / Application RED", "tapflow / Service map", "tapflow / Request log",
                "tapflow / Network (L4)", "tapflow / Distributed tracing", "tapflow / LLM serving and usage");
        assertThat(dashboards.stream().map(Dashboard::uid).collect(Collectors.toSet())).hasSize(dashboards.size());
        assertThat(dashboards).allSatisfy(d -> assertThat(d.queries()).isNotEmpty());
    }

    @Test
    void everyQueryExpandsWithNothingLeftForGrafana() {
        for (Dashboard d : GrafanaDashboards.load(DASHBOARDS)) {
            Map<String, String> variables = d.variables().stream()
                    .collect(Collectors.toMap(GrafanaDashboards.Variable::name, v -> "x"));
            for (PanelQuery q : d.queries()) {
                String expanded = q.source() == GrafanaDashboards.Source.CLICKHOUSE
                        ? DashboardMacros.clickHouse(q.query(), 1_700_000_000_000L, 1_700_003_600_000L, variables)
                        : DashboardMacros.promQl(q.query(), "1m", variables);
                assertThat(expanded).as(q.describe()).doesNotContain("$");
            }
        }
    }

    @Test
    void theDatasourcesTheDashboardsUseAreProvisioned() throws Exception {
        String provisioned = Files.readString(Path.of("..", "deploy", "grafana", "provisioning", "datasources",
                "tapflow.yaml"));
        Set<GrafanaDashboards.Source> used = GrafanaDashboards.load(DASHBOARDS).stream()
                .flatMap(d -> d.queries().stream()).map(PanelQuery::source).collect(Collectors.toSet());
        assertThat(used).containsExactlyInAnyOrder(GrafanaDashboards.Source.values());
        assertThat(provisioned).contains("uid: " + GrafanaDashboards.CLICKHOUSE_UID)
                .contains("uid: " + GrafanaDashboards.PROMETHEUS_UID);
    }

    @Test
    void macrosExpandAsTheClickHousePluginDoes() {
        assertThat(DashboardMacros.clickHouse("SELECT 1 WHERE $__timeFilter(window_start) AND t < $__toTime",
                1_700_000_000_500L, 1_700_000_060_000L, Map.of())).isEqualTo("SELECT 1 WHERE window_start >= "
                + "toDateTime(1700000000) AND window_start <= toDateTime(1700000060) AND t < toDateTime(1700000060)");
        assertThat(DashboardMacros.clickHouse("WHERE trace_id = '${trace_id}'", 0, 0, Map.of("trace_id", "ab")))
                .isEqualTo("WHERE trace_id = 'ab'");
        assertThat(DashboardMacros.promQl("rate(x[$__rate_interval])", "1m", Map.of())).isEqualTo("rate(x[1m])");
        assertThatThrownBy(() -> DashboardMacros.clickHouse("WHERE $__timeInterval(t)", 0, 0, Map.of()))
                .hasMessageContaining("$__timeInterval");
    }
}
