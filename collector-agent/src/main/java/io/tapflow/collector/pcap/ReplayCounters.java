package io.tapflow.collector.pcap;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/** The replay's counters: written by the polling thread, readable from any thread (metrics, summaries). */
public final class ReplayCounters {

    private final AtomicLongArray values = new AtomicLongArray(ReplayCounter.values().length);

    void increment(ReplayCounter counter) {
        values.incrementAndGet(counter.ordinal());
    }

    void add(ReplayCounter counter, long delta) {
        values.addAndGet(counter.ordinal(), delta);
    }

    public long get(ReplayCounter counter) {
        return values.get(counter.ordinal());
    }

    /** All counters, in declaration order. */
    public Map<ReplayCounter, Long> snapshot() {
        Map<ReplayCounter, Long> snapshot = new EnumMap<>(ReplayCounter.class);
        for (ReplayCounter counter : ReplayCounter.values()) {
            snapshot.put(counter, get(counter));
        }
        return snapshot;
    }

    /** Non-zero counters as {@code name=value ...} for a log line. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (ReplayCounter counter : ReplayCounter.values()) {
            long value = get(counter);
            if (value != 0) {
                text.append(text.length() == 0 ? "" : " ").append(counter.metricName()).append('=').append(value);
            }
        }
        return text.toString();
    }
}
