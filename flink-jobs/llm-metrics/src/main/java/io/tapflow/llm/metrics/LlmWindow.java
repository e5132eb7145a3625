package io.tapflow.llm.metrics;

import io.tapflow.schema.LlmMetric;
import java.io.Serializable;
import java.util.Objects;

/**
 * One window's metrics and the API labels of its requests. {@link LlmMetric} is keyed by (service, model,
 * observation point) only; the Prometheus series also carry provider and operation, which are the key's own
 * when the aggregator is keyed by {@link LlmMetricKeys#series()} (and those of the window's first request
 * otherwise).
 */
public record LlmWindow(LlmMetric metric, String provider, String operation) implements Serializable {

    public LlmWindow {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(operation, "operation");
    }
}
