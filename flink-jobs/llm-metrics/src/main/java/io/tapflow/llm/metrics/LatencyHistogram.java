package io.tapflow.llm.metrics;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** One latency of a window: GenAI bucket counts, count, sum and a quantile sketch, all in microseconds. */
final class LatencyHistogram implements Serializable {

    private static final long serialVersionUID = 1L;

    private final long[] boundsUs;
    private final long[] counts;
    private long count;
    private long sumUs;
    private final QuantileSketch sketch = new QuantileSketch();

    LatencyHistogram(double[] boundsSeconds) {
        this.boundsUs = GenAiBuckets.micros(boundsSeconds);
        this.counts = new long[boundsUs.length + 1];
    }

    void add(Long valueUs) {
        if (valueUs == null) {
            return;
        }
        long v = Math.max(0, valueUs);
        counts[GenAiBuckets.bucket(boundsUs, v)]++;
        count++;
        sumUs += v;
        sketch.add(v);
    }

    long count() {
        return count;
    }

    long sumUs() {
        return sumUs;
    }

    /** The non-cumulative bucket counts, or an empty list without samples (the contract's convention). */
    List<Long> bucketCounts() {
        List<Long> out = new ArrayList<>(counts.length);
        if (count > 0) {
            for (long c : counts) {
                out.add(c);
            }
        }
        return out;
    }

    Double quantile(double q) {
        return sketch.quantile(q);
    }
}
