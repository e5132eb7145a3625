package io.tapflow.localstack.grafana;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands what Grafana expands before a query reaches its datasource: the ClickHouse plugin's time macros and
 * Prometheus' interval variables, and dashboard variables. Anything else that looks like a macro or a variable is
 * refused, so a dashboard cannot use one this check does not understand.
 */
public final class DashboardMacros {

    private static final Pattern TIME_FILTER = Pattern.compile("\\$__timeFilter\\(([^)]+)\\)");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)");

    private DashboardMacros() {
    }

    /** A ClickHouse query with {@code $__timeFilter(col)}, {@code $__fromTime}, {@code $__toTime} and variables. */
    public static String clickHouse(String sql, long fromMs, long toMs, Map<String, String> variables) {
        String from = "toDateTime(" + fromMs / 1000 + ")";
        String to = "toDateTime(" + (toMs + 999) / 1000 + ")";
        Matcher m = TIME_FILTER.matcher(sql);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String column = m.group(1).trim();
            m.appendReplacement(out, Matcher.quoteReplacement(column + " >= " + from + " AND " + column + " <= " + to));
        }
        m.appendTail(out);
        String expanded = out.toString().replace("$__fromTime", from).replace("$__toTime", to);
        return variables(expanded, variables);
    }

    /** A PromQL expression with {@code $__rate_interval}, {@code $__interval} and variables. */
    public static String promQl(String expr, String rateInterval, Map<String, String> variables) {
        return variables(expr.replace("$__rate_interval", rateInterval).replace("$__interval", rateInterval),
                variables);
    }

    private static String variables(String query, Map<String, String> variables) {
        Matcher m = VARIABLE.matcher(query);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            String value = variables.get(name);
            if (value == null) {
                throw new IllegalArgumentException("unknown macro or variable $" + name + " in: " + query);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
