package io.tapflow.collector.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the Prometheus text exposition format (version 0.0.4): one {@code # HELP} and {@code # TYPE} line per
 * family, then its samples. Samples of one family must be written together, right after {@link #family}.
 */
public final class PrometheusWriter {

    /** Metric type as the format names it. */
    public enum Type {
        COUNTER("counter"), GAUGE("gauge");

        private final String text;

        Type(String text) {
            this.text = text;
        }
    }

    private final StringBuilder out = new StringBuilder(4096);
    private final Map<String, Boolean> families = new LinkedHashMap<>();
    private String current;

    /** Starts a family; a name written before is an error (its samples would be split). */
    public PrometheusWriter family(String name, Type type, String help) {
        if (families.putIfAbsent(name, Boolean.TRUE) != null) {
            throw new IllegalStateException("metric family " + name + " written twice");
        }
        current = name;
        out.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type.text).append('\n');
        return this;
    }

    /** A sample of the current family without labels. */
    public PrometheusWriter sample(double value) {
        return sample(List.of(), value);
    }

    /** A sample with one label. */
    public PrometheusWriter sample(String label, String labelValue, double value) {
        return sample(List.of(label, labelValue), value);
    }

    /** A sample with labels given as name, value, name, value... */
    public PrometheusWriter sample(List<String> labels, double value) {
        if (current == null) {
            throw new IllegalStateException("sample before any family");
        }
        out.append(current);
        if (!labels.isEmpty()) {
            out.append('{');
            for (int i = 0; i < labels.size(); i += 2) {
                out.append(i == 0 ? "" : ",").append(labels.get(i)).append("=\"")
                        .append(escapeLabel(labels.get(i + 1))).append('"');
            }
            out.append('}');
        }
        out.append(' ').append(format(value)).append('\n');
        return this;
    }

    public String text() {
        return out.toString();
    }

    private static String format(double value) {
        if (value == Math.rint(value) && !Double.isInfinite(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        return Double.toString(value);
    }

    private static String escapeHelp(String text) {
        return text.replace("\\", "\\\\").replace("\n", "\\n");
    }

    private static String escapeLabel(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
