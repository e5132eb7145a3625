package io.tapflow.flowagg.metrics;

import io.tapflow.schema.L4Protocol;
import io.tapflow.schema.NetMetric;
import io.tapflow.schema.ObservationPoint;

/** Flow deltas ({@link NetContribution}) to {@code NetMetric} rows: sums per edge and window. */
public final class NetAggregation implements WindowAggregation<NetKey, NetContribution, NetStats, NetMetric> {

    private static final long serialVersionUID = 1L;

    @Override
    public long eventTimeMs(NetContribution contribution) {
        return Math.floorDiv(contribution.eventTimeUs, 1000L);
    }

    @Override
    public NetStats createAccumulator() {
        return new NetStats();
    }

    @Override
    public void add(NetStats stats, NetContribution contribution) {
        stats.add(contribution.delta);
    }

    @Override
    public NetMetric result(NetKey key, long windowStartMs, long windowSizeMs, NetStats stats) {
        return NetMetric.newBuilder()
                .setWindowStartMs(windowStartMs)
                .setWindowSizeMs(windowSizeMs)
                .setClientService(key.clientService)
                .setServerService(key.serverService)
                .setServerPort(key.serverPort)
                .setL4Protocol(L4Protocol.valueOf(key.l4Protocol))
                .setObservationPoint(ObservationPoint.valueOf(key.observationPoint))
                .setNewFlows(stats.newFlows)
                .setClosedFlows(stats.closedFlows)
                .setConnectFailures(stats.connectFailures)
                .setTimeouts(stats.timeouts)
                .setBytesClientToServer(stats.bytesClientToServer)
                .setBytesServerToClient(stats.bytesServerToClient)
                .setRetransmits(stats.retransmits)
                .setResets(stats.resets)
                .setConnectLatencyCount(stats.connectLatencyCount)
                .setConnectLatencySumUs(stats.connectLatencySumUs)
                .setConnectLatencyMaxUs(stats.connectLatencyMaxUs)
                .setSrttCount(stats.srttCount)
                .setSrttSumUs(stats.srttSumUs)
                .setSrttMaxUs(stats.srttMaxUs)
                .build();
    }
}
