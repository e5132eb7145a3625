package io.tapflow.llm.metrics;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * A relative-error quantile sketch over positive microsecond values (DDSketch's logarithmic mapping, 1 % relative
 * accuracy, no collapsing): counts per bin {@code ceil(log_gamma(v))}, so a quantile is within 1 % of a true
 * sample. Its content depends only on the multiset of values, never on their order. Values below 1 µs count as
 * 1 µs. Ranks follow DDSketch: the quantile q is the value of rank {@code floor(q * (count - 1))}.
 */
final class QuantileSketch implements Serializable {

    private static final long serialVersionUID = 1L;

    static final double RELATIVE_ACCURACY = 0.01;
    private static final double GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
    private static final double LOG_GAMMA = Math.log(GAMMA);

    private final TreeMap<Integer, Long> bins = new TreeMap<>();
    private long count;

    void add(long valueUs) {
        int index = (int) Math.ceil(Math.log(Math.max(1, valueUs)) / LOG_GAMMA);
        bins.merge(index, 1L, Long::sum);
        count++;
    }

    long count() {
        return count;
    }

    /** The q-quantile (0..1), or null without samples. */
    Double quantile(double q) {
        if (count == 0) {
            return null;
        }
        long rank = (long) Math.floor(q * (count - 1));
        long seen = 0;
        for (Map.Entry<Integer, Long> bin : bins.entrySet()) {
            seen += bin.getValue();
            if (seen > rank) {
                // the bin (gamma^(i-1), gamma^i] is represented by the point of equal relative error to both ends
                return 2 * Math.pow(GAMMA, bin.getKey()) / (GAMMA + 1);
            }
        }
        throw new IllegalStateException("rank beyond count");
    }
}
