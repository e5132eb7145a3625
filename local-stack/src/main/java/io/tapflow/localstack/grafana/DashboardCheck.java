package io.tapflow.localstack.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapflow.localstack.clickhouse.ClickHouseHttp;
import io.tapflow.localstack.grafana.GrafanaDashboards.Dashboard;
import io.tapflow.localstack.grafana.GrafanaDashboards.PanelQuery;
import io.tapflow.localstack.grafana.GrafanaDashboards.Variable;
import io.tapflow.localstack.prometheus.PrometheusQuery;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs every query of tapflow's dashboards against a real ClickHouse and Prometheus over a time range, the way
 * Grafana would (macros and variables expanded), and reports how many rows or series each returned. A dashboard
 * is only as good as its queries: each must run and, on data that covers its panel, return something.
 *
 * <pre>java -cp ... io.tapflow.localstack.grafana.DashboardCheck --clickhouse URL --database DB --prometheus URL
 *      --from-ms MS --to-ms MS [--dashboards deploy/grafana/dashboards]</pre>
 * Exit 0 when every query returned rows, 1 otherwise.
 */
public final class DashboardCheck {

    /** What one query returned: rows (ClickHouse) or series (Prometheus), or the error. */
    public record Outcome(PanelQuery query, String expanded, int rows, String error) {

        public boolean ok() {
            return error == null && rows > 0;
        }

        @Override
        public String toString() {
            return (ok() ? "ok    " : "EMPTY ") + query.describe() + ": "
                    + (error != null ? "error " + error : rows + (query.source() == GrafanaDashboards.Source.CLICKHOUSE
                    ? " rows" : " series"));
        }
    }

    private final ClickHouseHttp clickhouse;
    private final PrometheusQuery prometheus;

    public DashboardCheck(ClickHouseHttp clickhouse, String prometheusUrl) {
        this.clickhouse = clickhouse;
        this.prometheus = new PrometheusQuery(prometheusUrl);
    }

    /** Every query of every dashboard over [fromMs, toMs]. */
    public List<Outcome> run(List<Dashboard> dashboards, long fromMs, long toMs) {
        List<Outcome> out = new ArrayList<>();
        for (Dashboard d : dashboards) {
            Map<String, String> variables = new HashMap<>();
            for (Variable v : d.variables()) {
                // Grafana selects the first value of a query variable by default
                List<String[]> values = clickhouse.rows(DashboardMacros.clickHouse(v.query(), fromMs, toMs, Map.of()));
                variables.put(v.name(), values.isEmpty() ? "" : values.get(0)[0]);
            }
            for (PanelQuery q : d.queries()) {
                out.add(run(q, variables, fromMs, toMs));
            }
        }
        return out;
    }

    private Outcome run(PanelQuery q, Map<String, String> variables, long fromMs, long toMs) {
        String expanded = null;
        try {
            if (q.source() == GrafanaDashboards.Source.CLICKHOUSE) {
                expanded = DashboardMacros.clickHouse(q.query(), fromMs, toMs, variables);
                return new Outcome(q, expanded, clickhouse.rows(expanded).size(), null);
            }
            // Grafana's $__rate_interval is at least four scrape intervals; a minute suits every range we check
            expanded = DashboardMacros.promQl(q.query(), "1m", variables);
            return new Outcome(q, expanded, prometheusSeries(expanded, fromMs, toMs), null);
        } catch (RuntimeException e) {
            return new Outcome(q, expanded, 0, e.getMessage());
        }
    }

    private int prometheusSeries(String promql, long fromMs, long toMs) {
        long stepS = Math.max(5, (toMs - fromMs) / 1000 / 200);
        JsonNode result = prometheus.range(promql, fromMs, toMs, stepS);
        int series = 0;
        for (JsonNode s : result) {
            for (JsonNode value : s.path("values")) {
                // histogram_quantile over empty buckets gives NaN: a panel would draw nothing
                if (!value.path(1).asText().equals("NaN")) {
                    series++;
                    break;
                }
            }
        }
        return series;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        for (String required : List.of("clickhouse", "database", "prometheus", "from-ms", "to-ms")) {
            if (!opts.containsKey(required)) {
                err.println("usage: DashboardCheck --clickhouse URL --database DB --prometheus URL --from-ms MS"
                        + " --to-ms MS [--dashboards DIR]   (missing --" + required + ")");
                return 2;
            }
        }
        List<Dashboard> dashboards = GrafanaDashboards.load(Path.of(opts.getOrDefault("dashboards",
                "deploy/grafana/dashboards")));
        DashboardCheck check = new DashboardCheck(new ClickHouseHttp(opts.get("clickhouse"), opts.get("database"),
                "default", ""), opts.get("prometheus"));
        List<Outcome> outcomes = check.run(dashboards, Long.parseLong(opts.get("from-ms")),
                Long.parseLong(opts.get("to-ms")));
        outcomes.forEach(out::println);
        long bad = outcomes.stream().filter(o -> !o.ok()).count();
        out.printf("%d of %d dashboard queries returned data%n", outcomes.size() - bad, outcomes.size());
        return bad == 0 ? 0 : 1;
    }
}
