package io.tapflow.llm.metrics;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Requests in flight during one window: every request interval that overlaps the window, clipped to it, as a
 * start (+1) and an end (-1) edge; at the window's end a sweep over the sorted edges gives the maximum and the
 * time-weighted mean. Edges are packed as {@code timeUs * 2 + (start ? 1 : 0)}, so that sorting puts an end before
 * a start at the same instant: a request that begins exactly when another ends does not count as overlapping.
 */
final class ConcurrencyTrack implements Serializable {

    private static final long serialVersionUID = 1L;

    private long[] edges = new long[8];
    private int size;

    /** Adds the interval {@code [fromUs, toUs)}, already clipped to the window; empty intervals add nothing. */
    void add(long fromUs, long toUs) {
        if (toUs <= fromUs) {
            return;
        }
        if (size + 2 > edges.length) {
            edges = Arrays.copyOf(edges, edges.length * 2);
        }
        edges[size++] = fromUs * 2 + 1;
        edges[size++] = toUs * 2;
    }

    /** {max, time-weighted mean} over {@code [windowStartUs, windowEndUs)}. */
    double[] maxAndMean(long windowStartUs, long windowEndUs) {
        long[] sorted = Arrays.copyOf(edges, size);
        Arrays.sort(sorted);
        long level = 0;
        long max = 0;
        double area = 0;
        long previous = windowStartUs;
        for (long e : sorted) {
            long t = e >> 1;
            area += (double) level * (t - previous);
            previous = t;
            level += (e & 1) == 1 ? 1 : -1;
            max = Math.max(max, level);
        }
        area += (double) level * (windowEndUs - previous);
        return new double[] {max, area / (windowEndUs - windowStartUs)};
    }
}
