package io.tapflow.flink.flow;

import io.tapflow.schema.SocketDataEvent;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Puts one direction of one socket back in byte order by data_seq (the collector's per-direction byte offset).
 * Events of one socket arrive in ring-buffer order, which concurrent threads on one socket can invert; a hole is
 * waited for until a deadline or until too many segments are held, then skipped (the decoder is told how many bytes
 * it missed). Bytes already delivered are dropped as duplicates.
 */
public final class SegmentOrdering implements Serializable {

    private static final long serialVersionUID = 1L;

    /** What to feed next: an event, or a hole of {@code missing} bytes before it. */
    public record Ready(SocketDataEvent event, long missing) implements Serializable {
    }

    /**
     * data_seq of the next byte to deliver. The collector counts from 0 on every socket (the first call it saw,
     * mid-connection or not), so a first event with data_seq > 0 means earlier ones are still on their way (or lost):
     * it waits like any hole.
     */
    private long next;
    private final TreeMap<Long, SocketDataEvent> held = new TreeMap<>();
    private long heldSinceNs = -1;
    long duplicates;
    long holesSkipped;

    /** Accepts an event; returns what can be fed now, in order. */
    public List<Ready> accept(SocketDataEvent event, int maxHeld) {
        List<Ready> ready = new ArrayList<>(1);
        long seq = event.getDataSeq();
        if (seq == next) {
            deliver(event, 0, ready);
            drain(ready);
        } else if (seq < next) {
            if (seq + event.getByteCount() <= next) {
                duplicates++;
            } else {
                // overlaps what was delivered: feed it whole, the decoder copes better with repeated bytes than with
                // a missing response
                deliver(event, 0, ready);
                drain(ready);
            }
        } else {
            if (held.isEmpty()) {
                heldSinceNs = event.getTimestampNs();
            }
            held.putIfAbsent(seq, event);
            if (held.size() > maxHeld) {
                skipHole(ready);
            }
        }
        return ready;
    }

    /** Skips the hole in front of the held segments when it has been waited for long enough. */
    public List<Ready> expire(long nowNs, long waitNs) {
        List<Ready> ready = new ArrayList<>(0);
        if (!held.isEmpty() && nowNs >= heldSinceNs + waitNs) {
            skipHole(ready);
        }
        return ready;
    }

    /** Everything held, holes skipped: the flow is ending. */
    public List<Ready> flush() {
        List<Ready> ready = new ArrayList<>(0);
        while (!held.isEmpty()) {
            skipHole(ready);
        }
        return ready;
    }

    /** Time by which a hole is skipped, or -1 when none is pending. */
    public long deadlineNs(long waitNs) {
        return held.isEmpty() ? -1 : heldSinceNs + waitNs;
    }

    public boolean holding() {
        return !held.isEmpty();
    }

    /**
     * Writes the state of an ordering that holds nothing (format 1: next data_seq and the two counters), for a
     * hand-written state format that is cheaper than Java serialization and independent of this class's fields. One
     * that {@link #holding() holds} events has no such form.
     */
    public void writeState(DataOutput out) throws IOException {
        if (holding()) {
            throw new IllegalStateException("an ordering holding events has no state format");
        }
        out.writeLong(next);
        out.writeLong(duplicates);
        out.writeLong(holesSkipped);
    }

    /** Reads what {@link #writeState} wrote. */
    public static SegmentOrdering readState(DataInput in) throws IOException {
        SegmentOrdering o = new SegmentOrdering();
        o.next = in.readLong();
        o.duplicates = in.readLong();
        o.holesSkipped = in.readLong();
        return o;
    }

    private void skipHole(List<Ready> ready) {
        Map.Entry<Long, SocketDataEvent> first = held.pollFirstEntry();
        holesSkipped++;
        deliver(first.getValue(), first.getKey() - next, ready);
        drain(ready);
    }

    private void drain(List<Ready> ready) {
        while (!held.isEmpty()) {
            Map.Entry<Long, SocketDataEvent> first = held.firstEntry();
            if (first.getKey() > next) {
                break;
            }
            held.pollFirstEntry();
            SocketDataEvent e = first.getValue();
            if (first.getKey() + e.getByteCount() <= next) {
                duplicates++;
            } else {
                deliver(e, 0, ready);
            }
        }
        if (!held.isEmpty()) {
            heldSinceNs = held.firstEntry().getValue().getTimestampNs();
        }
    }

    private void deliver(SocketDataEvent event, long missing, List<Ready> ready) {
        ready.add(new Ready(event, missing));
        next = event.getDataSeq() + event.getByteCount();
    }
}
