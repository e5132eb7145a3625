package io.tapflow.flowagg.metrics;

/**
 * What one flow emission adds to one {@code NetMetric} window: the edge it counts on, the event time that picks the
 * window, and the counters. Produced by {@link FlowDeltaFunction}, summed by {@link NetAggregation}. A Flink POJO.
 */
public final class NetContribution {

    public NetKey key;
    /** Event time in microseconds since the epoch, the same clock as the FlowLog times. */
    public long eventTimeUs;
    public NetStats delta;

    public NetContribution() {
    }

    public NetContribution(NetKey key, long eventTimeUs, NetStats delta) {
        this.key = key;
        this.eventTimeUs = eventTimeUs;
        this.delta = delta;
    }

    @Override
    public String toString() {
        return "NetContribution{" + key + " @" + eventTimeUs + "}";
    }
}
