package io.tapflow.flowagg.metrics;

import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.RedMetric;

/** Request logs to {@code RedMetric} rows: counted at {@code start_time_us}, see {@link RequestStats}. */
public final class RedAggregation extends RequestStatsAggregation<RedKey, RedMetric> {

    private static final long serialVersionUID = 1L;

    @Override
    public RedMetric result(RedKey key, long windowStartMs, long windowSizeMs, RequestStats stats) {
        return RedMetric.newBuilder()
                .setWindowStartMs(windowStartMs)
                .setWindowSizeMs(windowSizeMs)
                .setService(key.service)
                .setEndpoint(key.endpoint)
                .setL7Protocol(L7Protocol.valueOf(key.l7Protocol))
                .setObservationPoint(ObservationPoint.valueOf(key.observationPoint))
                .setRequests(stats.requests())
                .setClientErrors(stats.clientErrors())
                .setServerErrors(stats.serverErrors())
                .setTimeouts(stats.timeouts())
                .setLatencyCount(stats.latencyCount())
                .setLatencySumUs(stats.latencySumUs())
                .setLatencyMaxUs(stats.latencyMaxUs())
                .setLatencySketch(stats.sketchBytes())
                .setLatencyP50Us(stats.latencyAtQuantile(0.50))
                .setLatencyP90Us(stats.latencyAtQuantile(0.90))
                .setLatencyP99Us(stats.latencyAtQuantile(0.99))
                .build();
    }
}
