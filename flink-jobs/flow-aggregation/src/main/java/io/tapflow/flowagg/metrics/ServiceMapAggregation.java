package io.tapflow.flowagg.metrics;

import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.ServiceMapEdge;

/**
 * Request logs to {@code ServiceMapEdge} rows (ClickHouse app_map_1m): each request log counts on its own edge, at
 * {@code start_time_us}, by the same rules as {@link RequestStats}.
 */
public final class ServiceMapAggregation extends RequestStatsAggregation<EdgeKey, ServiceMapEdge> {

    private static final long serialVersionUID = 1L;

    @Override
    public ServiceMapEdge result(EdgeKey key, long windowStartMs, long windowSizeMs, RequestStats stats) {
        return ServiceMapEdge.newBuilder()
                .setWindowStartMs(windowStartMs)
                .setWindowSizeMs(windowSizeMs)
                .setClientService(key.clientService)
                .setServerService(key.serverService)
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
