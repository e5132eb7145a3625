package io.tapflow.flowagg.metrics;

import java.io.Serializable;

/**
 * What {@link TumblingWindowAggregator} needs to know about one metric: where an input sits in event time, how it
 * is counted, and the output row of a finished window.
 *
 * @param <K> key of the metric (its dimensions)
 * @param <IN> input record
 * @param <ACC> mutable accumulator of one key and window
 * @param <OUT> output row
 */
public interface WindowAggregation<K, IN, ACC, OUT> extends Serializable {

    /** Event time of {@code input} in epoch milliseconds: it picks the window the input counts in. */
    long eventTimeMs(IN input);

    ACC createAccumulator();

    /** Counts {@code input} into {@code accumulator} in place. */
    void add(ACC accumulator, IN input);

    /** The row of one finished window; must depend only on its arguments (replays re-emit identical rows). */
    OUT result(K key, long windowStartMs, long windowSizeMs, ACC accumulator);
}
