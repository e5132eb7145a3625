package io.tapflow.collector.publish;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Encoded records kept in arrival order while Kafka does not take them (the producer has no metadata for the
 * topic, or its own buffer is full), within a byte budget. The publisher thread appends and drains; the byte count
 * is readable from any thread (metrics). Order matters: while anything is kept here, new records queue behind it,
 * so the per-socket order survives the outage.
 */
final class OutageBacklog {

    /** Per record on top of key and value: the deque node and the record object. */
    static final int RECORD_OVERHEAD_BYTES = 64;

    /** A record ready to send. */
    record Encoded(EventKind kind, String topic, byte[] key, byte[] value) {
        int bytes() {
            return key.length + value.length + RECORD_OVERHEAD_BYTES;
        }
    }

    private final ArrayDeque<Encoded> records = new ArrayDeque<>();
    private final long budgetBytes;
    private final AtomicLong bytes = new AtomicLong();

    OutageBacklog(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    /** Keeps {@code record} unless that would exceed the budget; false = the caller drops it. */
    boolean offer(Encoded record) {
        if (bytes.get() + record.bytes() > budgetBytes) {
            return false;
        }
        records.addLast(record);
        bytes.addAndGet(record.bytes());
        return true;
    }

    Encoded peek() {
        return records.peekFirst();
    }

    void removeFirst() {
        Encoded first = records.pollFirst();
        if (first != null) {
            bytes.addAndGet(-first.bytes());
        }
    }

    boolean isEmpty() {
        return records.isEmpty();
    }

    int size() {
        return records.size();
    }

    long bytes() {
        return bytes.get();
    }

    long budgetBytes() {
        return budgetBytes;
    }
}
