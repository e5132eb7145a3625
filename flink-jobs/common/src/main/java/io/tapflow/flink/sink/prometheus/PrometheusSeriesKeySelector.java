package io.tapflow.flink.sink.prometheus;

import org.apache.flink.api.java.functions.KeySelector;

/**
 * Keys a stream of {@link PrometheusTimeSeries} by series identity ({@link PrometheusTimeSeries#seriesKey()}).
 *
 * <p>Remote write requires the samples of one series to arrive in time order. Sink subtasks send independently, so
 * two subtasks writing the same series could deliver its samples out of order and Prometheus would reject the older
 * ones. Put {@code keyBy(new PrometheusSeriesKeySelector())} right before {@code sinkTo} (or key upstream by a
 * coarser key that fixes every series to one subtask) so each series is written by exactly one subtask.
 */
public final class PrometheusSeriesKeySelector implements KeySelector<PrometheusTimeSeries, String> {

    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(PrometheusTimeSeries series) {
        return series.seriesKey();
    }
}
