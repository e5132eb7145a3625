package io.tapflow.collector.bpf;

import java.time.Instant;

/**
 * Converts the kernel's CLOCK_MONOTONIC (bpf_ktime_get_ns) to wall-clock nanoseconds since the epoch.
 * {@link System#nanoTime()} reads the same clock on Linux, so the offset is measured in this process: the tightest
 * of a few (nanoTime, wall, nanoTime) brackets. Refreshed periodically because NTP slews the wall clock.
 */
final class BootClock {

    private volatile long offsetNs;

    BootClock() {
        refresh();
    }

    void refresh() {
        long bestWidth = Long.MAX_VALUE;
        long bestOffset = 0;
        for (int i = 0; i < 5; i++) {
            long before = System.nanoTime();
            Instant now = Instant.now();
            long after = System.nanoTime();
            long width = after - before;
            if (width < bestWidth) {
                bestWidth = width;
                long wall = now.getEpochSecond() * 1_000_000_000L + now.getNano();
                bestOffset = wall - (before + width / 2);
            }
        }
        offsetNs = bestOffset;
    }

    long wallNs(long monotonicNs) {
        return monotonicNs + offsetNs;
    }
}
