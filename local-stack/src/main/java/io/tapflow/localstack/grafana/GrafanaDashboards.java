package io.tapflow.localstack.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** tapflow's Grafana dashboards (deploy/grafana/dashboards/*.json) as the queries their panels and variables run. */
public final class GrafanaDashboards {

    public static final String CLICKHOUSE_UID = "tapflow-clickhouse";
    public static final String PROMETHEUS_UID = "tapflow-prometheus";

    /** Which datasource a query goes to. */
    public enum Source { CLICKHOUSE, PROMETHEUS }

    /** One target of one panel. */
    public record PanelQuery(String dashboard, String panel, String refId, Source source, String query) {

        public String describe() {
            return dashboard + " / " + panel + " [" + refId + "]";
        }
    }

    /** A query variable: its values come from a ClickHouse query. */
    public record Variable(String name, String query) {
    }

    public record Dashboard(Path file, String uid, String title, List<Variable> variables, List<PanelQuery> queries) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private GrafanaDashboards() {
    }

    /** Every dashboard in {@code dir}, by file name. */
    public static List<Dashboard> load(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<Dashboard> out = new ArrayList<>();
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                out.add(read(f));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dashboards in " + dir, e);
        }
    }

    static Dashboard read(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        String title = text(root, "title", file);
        List<Variable> variables = new ArrayList<>();
        for (JsonNode v : root.path("templating").path("list")) {
            if (!v.path("type").asText().equals("query")) {
                throw new IllegalArgumentException(file + ": variable " + v.path("name").asText()
                        + " is of type " + v.path("type").asText() + "; only query variables are checked");
            }
            requireUid(v.path("datasource"), CLICKHOUSE_UID, file + " variable " + v.path("name").asText());
            variables.add(new Variable(text(v, "name", file), text(v, "query", file)));
        }
        List<PanelQuery> queries = new ArrayList<>();
        for (JsonNode panel : root.path("panels")) {
            String panelTitle = text(panel, "title", file);
            if (panel.path("targets").isEmpty()) {
                throw new IllegalArgumentException(file + ": panel '" + panelTitle + "' has no query");
            }
            for (JsonNode t : panel.path("targets")) {
                String where = file + " panel '" + panelTitle + "'";
                String uid = t.path("datasource").path("uid").asText();
                Source source = switch (uid) {
                    case CLICKHOUSE_UID -> Source.CLICKHOUSE;
                    case PROMETHEUS_UID -> Source.PROMETHEUS;
                    default -> throw new IllegalArgumentException(where + ": unknown datasource uid '" + uid + "'");
                };
                String query = text(t, source == Source.CLICKHOUSE ? "rawSql" : "expr", file);
                queries.add(new PanelQuery(title, panelTitle, text(t, "refId", file), source, query));
            }
        }
        return new Dashboard(file, text(root, "uid", file), title, variables, queries);
    }

    private static void requireUid(JsonNode datasource, String uid, String where) {
        if (!datasource.path("uid").asText().equals(uid)) {
            throw new IllegalArgumentException(where + ": datasource must be " + uid);
        }
    }

    private static String text(JsonNode node, String field, Path file) {
        String value = node.path(field).asText("");
        if (value.isBlank()) {
            throw new IllegalArgumentException(file + ": '" + field + "' missing in " + node);
        }
        return value;
    }
}
