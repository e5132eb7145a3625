package io.tapflow.flink.sink.prometheus;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One time series and some of its samples, as written to Prometheus by {@link PrometheusRemoteWriteSink}: a metric
 * name, labels sorted by name (the remote-write spec requires sorted label sets; {@code __name__} holds the metric
 * name and takes its sorted place — after upper-case names, before lower-case ones), and samples of (timestamp ms, value) in strictly increasing time order.
 *
 * <p>Immutable. Built only through {@link #builder(String)}, which validates names against the Prometheus data model
 * so a bad name fails where it is made, not as a 400 from Prometheus that would stop the job. The fields are plain
 * arrays so Flink's generic (Kryo) serializer copies instances without custom registration.
 */
public final class PrometheusTimeSeries implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The label Prometheus stores the metric name in. */
    public static final String METRIC_NAME_LABEL = "__name__";

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    /** A label of a series. */
    public record Label(String name, String value) {
    }

    /** A sample of a series: milliseconds since the epoch and a float64 value. */
    public record Sample(long timestampMs, double value) {
    }

    private final String metricName;
    // Sorted by name (String order = byte order for the ASCII names allowed), __name__ included at its place.
    private final String[] labelNames;
    private final String[] labelValues;
    private final long[] timestamps;
    private final double[] values;

    private PrometheusTimeSeries(String metricName, String[] labelNames, String[] labelValues, long[] timestamps,
            double[] values) {
        this.metricName = metricName;
        this.labelNames = labelNames;
        this.labelValues = labelValues;
        this.timestamps = timestamps;
        this.values = values;
    }

    /** Starts a series of metric {@code metricName} (Prometheus metric-name charset {@code [a-zA-Z_:][a-zA-Z0-9_:]*}). */
    public static Builder builder(String metricName) {
        return new Builder(metricName);
    }

    public String metricName() {
        return metricName;
    }

    /** All labels sorted by name, {@code __name__} included, as they go on the wire. */
    public List<Label> labels() {
        List<Label> labels = new ArrayList<>(labelNames.length);
        for (int i = 0; i < labelNames.length; i++) {
            labels.add(new Label(labelNames[i], labelValues[i]));
        }
        return Collections.unmodifiableList(labels);
    }

    public int sampleCount() {
        return timestamps.length;
    }

    public long timestampAt(int index) {
        return timestamps[index];
    }

    public double valueAt(int index) {
        return values[index];
    }

    public List<Sample> samples() {
        List<Sample> samples = new ArrayList<>(timestamps.length);
        for (int i = 0; i < timestamps.length; i++) {
            samples.add(new Sample(timestamps[i], values[i]));
        }
        return Collections.unmodifiableList(samples);
    }

    /**
     * The identity of the series, {@code name{a="x",b="y"}} with label values escaped as in the Prometheus text
     * format. Two instances with equal keys are the same Prometheus series, whatever their samples.
     */
    public String seriesKey() {
        StringBuilder key = new StringBuilder(metricName.length() + 16 * labelNames.length);
        key.append(metricName).append('{');
        boolean first = true;
        for (int i = 0; i < labelNames.length; i++) {
            if (labelNames[i].equals(METRIC_NAME_LABEL)) {
                continue;
            }
            if (!first) {
                key.append(',');
            }
            first = false;
            key.append(labelNames[i]).append("=\"");
            appendEscaped(key, labelValues[i]);
            key.append('"');
        }
        return key.append('}').toString();
    }

    private static void appendEscaped(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    // Sorted label names with __name__; shared with the encoder and the state serializer (never mutated).
    String[] labelNamesArray() {
        return labelNames;
    }

    String[] labelValuesArray() {
        return labelValues;
    }

    /** The same series with samples {@code [from, to)}; used to split a rejected request. */
    PrometheusTimeSeries slice(int from, int to) {
        return new PrometheusTimeSeries(metricName, labelNames, labelValues, Arrays.copyOfRange(timestamps, from, to),
                Arrays.copyOfRange(values, from, to));
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PrometheusTimeSeries other)) {
            return false;
        }
        return metricName.equals(other.metricName) && Arrays.equals(labelNames, other.labelNames)
                && Arrays.equals(labelValues, other.labelValues) && Arrays.equals(timestamps, other.timestamps)
                && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(metricName, Arrays.hashCode(labelNames), Arrays.hashCode(labelValues),
                Arrays.hashCode(timestamps), Arrays.hashCode(values));
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(seriesKey()).append(' ');
        for (int i = 0; i < timestamps.length; i++) {
            s.append(i == 0 ? "[" : ", ").append(values[i]).append('@').append(timestamps[i]);
        }
        return s.append(']').toString();
    }

    /**
     * Builds a {@link PrometheusTimeSeries}; {@link #build()} checks the label set and the sample order.
     */
    public static final class Builder {

        private final String metricName;
        private final Map<String, String> labels = new TreeMap<>();
        private final List<Sample> samples = new ArrayList<>();

        private Builder(String metricName) {
            Objects.requireNonNull(metricName, "metricName");
            if (!METRIC_NAME.matcher(metricName).matches()) {
                throw new IllegalArgumentException(
                        "metric name '" + metricName + "' does not match [a-zA-Z_:][a-zA-Z0-9_:]*");
            }
            this.metricName = metricName;
        }

        /**
         * Adds a label. Names follow {@code [a-zA-Z_][a-zA-Z0-9_]*} and must not start with {@code __} (reserved by
         * Prometheus; {@code __name__} is the metric name). Values must not be empty: Prometheus treats an empty value
         * as the label being absent, so the series would silently collide with its label-less sibling.
         */
        public Builder label(String name, String value) {
            Objects.requireNonNull(name, "label name");
            Objects.requireNonNull(value, "value of label " + name);
            if (!LABEL_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("label name '" + name + "' does not match [a-zA-Z_][a-zA-Z0-9_]*");
            }
            if (name.startsWith("__")) {
                throw new IllegalArgumentException("label name '" + name + "' is reserved (starts with __)");
            }
            if (value.isEmpty()) {
                throw new IllegalArgumentException("label '" + name + "' has an empty value");
            }
            if (labels.putIfAbsent(name, value) != null) {
                throw new IllegalArgumentException("duplicate label name '" + name + "'");
            }
            return this;
        }

        /** Adds all labels of {@code labels} as {@link #label(String, String)} does. */
        public Builder labels(Map<String, String> labels) {
            labels.forEach(this::label);
            return this;
        }

        /** Adds a sample; samples must come in strictly increasing timestamp order (remote-write rule). */
        public Builder sample(long timestampMs, double value) {
            if (!samples.isEmpty() && timestampMs <= samples.get(samples.size() - 1).timestampMs()) {
                throw new IllegalArgumentException("sample at " + timestampMs + " ms is not after the previous one at "
                        + samples.get(samples.size() - 1).timestampMs() + " ms");
            }
            samples.add(new Sample(timestampMs, value));
            return this;
        }

        public PrometheusTimeSeries build() {
            if (samples.isEmpty()) {
                throw new IllegalStateException("series " + metricName + labels + " has no samples");
            }
            Map<String, String> all = new TreeMap<>(labels);
            all.put(METRIC_NAME_LABEL, metricName);
            String[] names = all.keySet().toArray(String[]::new);
            String[] values = all.values().toArray(String[]::new);
            long[] timestamps = new long[samples.size()];
            double[] sampleValues = new double[samples.size()];
            for (int i = 0; i < samples.size(); i++) {
                timestamps[i] = samples.get(i).timestampMs();
                sampleValues[i] = samples.get(i).value();
            }
            return new PrometheusTimeSeries(metricName, names, values, timestamps, sampleValues);
        }
    }

    // Restores an instance written by the state serializer, which wrote a validated one.
    static PrometheusTimeSeries restored(String metricName, String[] labelNames, String[] labelValues,
            long[] timestamps, double[] values) {
        return new PrometheusTimeSeries(metricName, labelNames, labelValues, timestamps, values);
    }
}
