package io.tapflow.flowagg.metrics;

/**
 * The counters of a {@code NetMetric} row: both the per-flow delta one flow emission contributes
 * ({@link NetContribution}) and the sum over one edge and window. A Flink POJO, so it needs no custom serializer.
 */
public final class NetStats {

    public long newFlows;
    public long closedFlows;
    public long connectFailures;
    public long timeouts;
    public long bytesClientToServer;
    public long bytesServerToClient;
    public long retransmits;
    public long resets;
    public long connectLatencyCount;
    public long connectLatencySumUs;
    public long connectLatencyMaxUs;
    public long srttCount;
    public long srttSumUs;
    public long srttMaxUs;

    public NetStats() {
    }

    /** Adds {@code other} into this (sums, and maxima for the max fields). */
    public void add(NetStats other) {
        newFlows += other.newFlows;
        closedFlows += other.closedFlows;
        connectFailures += other.connectFailures;
        timeouts += other.timeouts;
        bytesClientToServer += other.bytesClientToServer;
        bytesServerToClient += other.bytesServerToClient;
        retransmits += other.retransmits;
        resets += other.resets;
        connectLatencyCount += other.connectLatencyCount;
        connectLatencySumUs += other.connectLatencySumUs;
        connectLatencyMaxUs = Math.max(connectLatencyMaxUs, other.connectLatencyMaxUs);
        srttCount += other.srttCount;
        srttSumUs += other.srttSumUs;
        srttMaxUs = Math.max(srttMaxUs, other.srttMaxUs);
    }

    void addConnectLatency(long us) {
        connectLatencyCount++;
        connectLatencySumUs += us;
        connectLatencyMaxUs = Math.max(connectLatencyMaxUs, us);
    }

    void addSrtt(long us) {
        srttCount++;
        srttSumUs += us;
        srttMaxUs = Math.max(srttMaxUs, us);
    }

    /** True when adding this would change nothing. */
    public boolean isEmpty() {
        return newFlows == 0 && closedFlows == 0 && connectFailures == 0 && timeouts == 0
                && bytesClientToServer == 0 && bytesServerToClient == 0 && retransmits == 0 && resets == 0
                && connectLatencyCount == 0 && srttCount == 0;
    }
}
