package io.tapflow.llm.it;

import java.util.List;
import java.util.TreeSet;

/**
 * The concurrency of a set of request intervals over a window, computed the plain way (not the job's sweep): the
 * level at an instant is the number of intervals {@code [from, to)} containing it, its maximum is reached at some
 * interval's start, its time-weighted mean is the sum of the intervals' lengths inside the window over the window's
 * length.
 */
record InFlight(long fromUs, long toUs) {

    /** The interval {@code d} shorter at both ends: contained in every interval within {@code d} of this one. */
    InFlight shrunk(long d) {
        return new InFlight(fromUs + d, Math.max(fromUs + d, toUs - d));
    }

    /** The interval {@code d} longer at both ends: contains every interval within {@code d} of this one. */
    InFlight widened(long d) {
        return new InFlight(fromUs - d, toUs + d);
    }

    static long max(List<InFlight> all, long windowStartUs, long windowEndUs) {
        long max = 0;
        for (InFlight candidate : all) {
            long t = Math.max(candidate.fromUs, windowStartUs);
            if (t < Math.min(candidate.toUs, windowEndUs)) {
                max = Math.max(max, all.stream().filter(i -> i.fromUs <= t && t < i.toUs).count());
            }
        }
        return max;
    }

    static double mean(List<InFlight> all, long windowStartUs, long windowEndUs) {
        long inside = 0;
        for (InFlight i : all) {
            inside += Math.max(0, Math.min(i.toUs, windowEndUs) - Math.max(i.fromUs, windowStartUs));
        }
        return (double) inside / (windowEndUs - windowStartUs);
    }

    /** Starts (ms) of the windows of {@code sizeMs} that some interval overlaps. */
    static TreeSet<Long> windows(List<InFlight> all, long sizeMs) {
        TreeSet<Long> starts = new TreeSet<>();
        for (InFlight i : all) {
            if (i.toUs <= i.fromUs) {
                continue;
            }
            for (long w = Math.floorDiv(i.fromUs, sizeMs * 1000) * sizeMs; w * 1000 < i.toUs; w += sizeMs) {
                starts.add(w);
            }
        }
        return starts;
    }
}
