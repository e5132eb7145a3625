package io.tapflow.collector.publish;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The publisher's accounting, readable from any thread. The invariant it is built for:
 * {@code offered = published + dropped (all reasons) + queued + in flight}; {@link #unaccounted()} is the
 * difference. Stages are separate counters, so a reading taken while events move may be off by the few in
 * transit; when the publisher is idle it is exact and must be 0.
 */
public final class PublishStats {

    private final LongAdder offered = new LongAdder();
    private final LongAdder published = new LongAdder();
    private final LongAdder publishedBytes = new LongAdder();
    private final Map<DropReason, LongAdder> dropped = new EnumMap<>(DropReason.class);
    private final Map<EventKind, LongAdder> offeredByKind = new EnumMap<>(EventKind.class);
    private final Map<EventKind, LongAdder> publishedByKind = new EnumMap<>(EventKind.class);
    final AtomicLong queued = new AtomicLong();
    final AtomicLong queuedBytes = new AtomicLong();
    final AtomicLong inFlight = new AtomicLong();

    PublishStats() {
        for (DropReason reason : DropReason.values()) {
            dropped.put(reason, new LongAdder());
        }
        for (EventKind kind : EventKind.values()) {
            offeredByKind.put(kind, new LongAdder());
            publishedByKind.put(kind, new LongAdder());
        }
    }

    void recordOffered(EventKind kind) {
        offered.increment();
        offeredByKind.get(kind).increment();
    }

    void recordPublished(EventKind kind, long bytes) {
        published.increment();
        publishedByKind.get(kind).increment();
        publishedBytes.add(bytes);
    }

    void recordDropped(DropReason reason) {
        dropped.get(reason).increment();
    }

    /** Events handed to the publisher (including those refused as queue_full). */
    public long offered() {
        return offered.sum();
    }

    public long offered(EventKind kind) {
        return offeredByKind.get(kind).sum();
    }

    public long published() {
        return published.sum();
    }

    public long published(EventKind kind) {
        return publishedByKind.get(kind).sum();
    }

    /** Encoded bytes (key + value) Kafka acknowledged. */
    public long publishedBytes() {
        return publishedBytes.sum();
    }

    public long dropped(DropReason reason) {
        return dropped.get(reason).sum();
    }

    public long droppedTotal() {
        long total = 0;
        for (LongAdder adder : dropped.values()) {
            total += adder.sum();
        }
        return total;
    }

    public Map<DropReason, Long> droppedByReason() {
        Map<DropReason, Long> copy = new EnumMap<>(DropReason.class);
        dropped.forEach((reason, adder) -> copy.put(reason, adder.sum()));
        return copy;
    }

    /** Events in the hand-off queue now. */
    public long queued() {
        return queued.get();
    }

    public long queuedBytes() {
        return queuedBytes.get();
    }

    /** Events handed to the producer whose outcome is not known yet (buffered or in flight). */
    public long inFlight() {
        return inFlight.get();
    }

    /** offered - published - dropped - queued - in flight: 0 when nothing got lost without being counted. */
    public long unaccounted() {
        // read the "later" stages first so an event moving between stages is never counted twice
        long done = published() + droppedTotal();
        long pending = inFlight() + queued();
        return offered() - done - pending;
    }

    @Override
    public String toString() {
        StringBuilder drops = new StringBuilder();
        droppedByReason().forEach((reason, count) -> {
            if (count > 0) {
                drops.append(drops.length() == 0 ? "" : ",").append(reason.label()).append('=').append(count);
            }
        });
        return "offered=" + offered() + " published=" + published() + " dropped=" + droppedTotal()
                + (drops.length() > 0 ? "(" + drops + ")" : "") + " queued=" + queued() + " in_flight=" + inFlight();
    }
}
