package io.tapflow.flowagg.metrics;


/**
 * The counting shared by every metric over request logs: a log counts at its {@code start_time_us}, into
 * {@link RequestStats}. Subclasses only say which row a finished window becomes.
 */
abstract class RequestStatsAggregation<K, OUT> implements WindowAggregation<K, RequestSample, RequestStats, OUT> {

    private static final long serialVersionUID = 1L;

    @Override
    public final long eventTimeMs(RequestSample sample) {
        return Math.floorDiv(sample.startTimeUs(), 1000L);
    }

    @Override
    public final RequestStats createAccumulator() {
        return new RequestStats();
    }

    @Override
    public final void add(RequestStats stats, RequestSample sample) {
        stats.add(sample);
    }
}
