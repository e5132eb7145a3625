package io.tapflow.llm.metrics;

import io.tapflow.schema.LlmRequest;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * Keys of the LLM windows. {@link #metric()} is the identity of an llm_metrics_1m row (service, model, observation
 * point); {@link #series()} adds provider and operation, the further labels of the Prometheus series, so that one
 * series is always computed, and written, by one subtask in time order.
 */
public final class LlmMetricKeys {

    /** ASCII unit separator: never part of a service or model name. */
    private static final char SEP = '\u001f';

    private LlmMetricKeys() {
    }

    public static KeySelector<LlmRequest, String> metric() {
        return r -> r.getService() + SEP + r.getModel() + SEP + r.getObservationPoint();
    }

    public static KeySelector<LlmRequest, String> series() {
        return r -> r.getService() + SEP + r.getModel() + SEP + r.getObservationPoint() + SEP + r.getProvider()
                + SEP + r.getOperation();
    }

    /** {@link #series()} of a window computed under that key. */
    public static KeySelector<LlmWindow, String> seriesOfWindow() {
        return w -> w.metric().getService() + SEP + w.metric().getModel() + SEP + w.metric().getObservationPoint()
                + SEP + w.provider() + SEP + w.operation();
    }
}
