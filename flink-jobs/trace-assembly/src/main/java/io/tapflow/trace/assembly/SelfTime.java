package io.tapflow.trace.assembly;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** {@code Span.self_time_us}: a span's duration minus the union of its children's intervals clipped to it. */
final class SelfTime {

    private SelfTime() {
    }

    /** @param children {start, end} pairs in µs, any order, possibly overlapping or outside the parent */
    static long of(long startUs, long endUs, List<long[]> children) {
        long total = Math.max(0, endUs - startUs);
        List<long[]> clipped = new ArrayList<>();
        for (long[] c : children) {
            long s = Math.max(startUs, c[0]);
            long e = Math.min(endUs, c[1]);
            if (e > s) {
                clipped.add(new long[] {s, e});
            }
        }
        clipped.sort(Comparator.comparingLong(c -> c[0]));
        long covered = 0;
        long runStart = Long.MIN_VALUE;
        long runEnd = Long.MIN_VALUE;
        for (long[] c : clipped) {
            if (c[0] > runEnd) {
                covered += runEnd - runStart;
                runStart = c[0];
                runEnd = c[1];
            } else {
                runEnd = Math.max(runEnd, c[1]);
            }
        }
        covered += runEnd - runStart;
        return Math.max(0, total - covered);
    }
}
