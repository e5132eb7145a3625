package io.tapflow.collector.pcap;

import io.tapflow.collector.source.CaptureFilter;
import io.tapflow.schema.Direction;
import io.tapflow.schema.TcpEventType;
import java.util.Map;
import java.util.TreeMap;

/**
 * One direction of a replayed TCP connection: puts segments in sequence order (holding out-of-order ones within
 * {@link ReplayOptions#reorderBytes()}, dropping bytes already delivered), and coalesces consecutive bytes into one
 * "call" that becomes the sender's EGRESS event and the receiver's INGRESS event with the same tcp_seq. Bytes that
 * follow a pause longer than {@link #CALL_GAP_NS} start a new call: the sender wrote them later (a streamed response's
 * tokens), and their own time is what TTFT and TPOT are made of.
 *
 * <p>Sequence numbers are kept unwrapped (64-bit, continuing past 2^32) so comparisons survive wrap-around; events
 * carry the 32-bit value, which is what the kernel's write_seq/copied_seq hold for the same byte.
 */
final class TcpStream {

    private static final long UNKNOWN = Long.MIN_VALUE;
    private static final long MASK = 0xFFFFFFFFL;
    /**
     * A pause between consecutive segments longer than this is a new write: the segments of one write leave
     * back to back (µs apart; on loopback one write is usually one segment), a token stream's writes are ms apart.
     */
    static final long CALL_GAP_NS = 1_000_000L;

    /** A segment waiting for the bytes before it. */
    private record Held(long seq, long timestampNs, byte[] frame, int offset, int captured, int length) {}

    final ReplaySocket sender;
    final ReplaySocket receiver;
    private final ReplayEmitter emitter;
    private final ReplayCounters counters;
    private final int maxEventBytes;
    private final int reorderBytes;

    /** Unwrapped sequence number of the next byte to deliver. */
    private long nextSeq = UNKNOWN;
    private final TreeMap<Long, Held> held = new TreeMap<>();
    private long heldBytes;
    boolean finSeen;
    /** Unwrapped sequence number the FIN occupies. */
    long finSeq;

    // the call being coalesced
    private long runSeq;
    private long runBytes;
    private final byte[] runPayload = new byte[CaptureFilter.MAX_PAYLOAD_BYTES];
    private int runPayloadLength;
    private boolean runPayloadContiguous;
    private long runFirstNs;
    private long runLastNs;

    TcpStream(ReplaySocket sender, ReplaySocket receiver, ReplayEmitter emitter, ReplayCounters counters,
              ReplayOptions options) {
        this.sender = sender;
        this.receiver = receiver;
        this.emitter = emitter;
        this.counters = counters;
        this.maxEventBytes = options.maxEventBytes();
        this.reorderBytes = options.reorderBytes();
    }

    /** The handshake told where data starts (ISN + 1). */
    void start(long firstDataSeq) {
        if (nextSeq == UNKNOWN) {
            nextSeq = firstDataSeq & MASK;
        }
    }

    boolean started() {
        return nextSeq != UNKNOWN;
    }

    /** The unwrapped form of a 32-bit sequence number, as near to the next expected byte as possible. */
    long unwrap(long seq32) {
        if (nextSeq == UNKNOWN) {
            return seq32;
        }
        int delta = (int) (seq32 - (nextSeq & MASK));
        return nextSeq + delta;
    }

    /** Whether the packet brings bytes not delivered yet (so the other direction's call has ended). */
    boolean bringsNewData(DecodedPacket packet) {
        return packet.payloadLength > 0 && (nextSeq == UNKNOWN || unwrap(packet.seq) + packet.payloadLength > nextSeq);
    }

    /** Takes the payload of a data segment of this direction. */
    void offer(DecodedPacket packet) {
        int length = packet.payloadLength;
        if (length == 0 || finSeen) {
            return;
        }
        if (nextSeq == UNKNOWN) {
            nextSeq = packet.seq; // no handshake captured: the stream starts where we first see it
        }
        long seq = unwrap(packet.seq);
        int offset = packet.payloadOffset;
        int captured = packet.payloadCaptured;
        if (seq + length <= nextSeq) {
            retransmitted(packet.timestampNs, length);
            return;
        }
        if (seq < nextSeq) {
            int overlap = (int) (nextSeq - seq);
            retransmitted(packet.timestampNs, overlap);
            seq += overlap;
            offset += overlap;
            captured = Math.max(0, captured - overlap);
            length -= overlap;
        }
        if (seq == nextSeq) {
            deliver(seq, packet.timestampNs, packet.frame, offset, captured, length);
            drainHeld();
        } else {
            hold(new Held(seq, packet.timestampNs, packet.frame, offset, captured, length));
        }
    }

    /** The sender's FIN at {@code packet}: what it carried has been offered; nothing more comes this way. */
    void fin(DecodedPacket packet) {
        finSeen = true;
        finSeq = unwrap(packet.seq) + packet.payloadLength;
        finish();
    }

    /** Ends the stream: waits no longer for missing bytes (each hole is a gap) and emits the call in progress. */
    void finish() {
        while (!held.isEmpty()) {
            skipToFirstHeld();
        }
        flushCall();
    }

    /**
     * Emits the call being coalesced when its last byte is more than {@link #CALL_GAP_NS} before {@code nowNs} (the
     * capture's clock): the write is over, and the live collector would have reported it by then — a response
     * must not wait for the peer's next request (it may never come) and arrive behind the jobs' watermark.
     */
    void flushIfIdle(long nowNs) {
        if (runBytes > 0 && nowNs - runLastNs > CALL_GAP_NS) {
            flushCall();
        }
    }

    /** Emits the call being coalesced as the sender's EGRESS and the receiver's INGRESS event. */
    void flushCall() {
        if (runBytes == 0) {
            return;
        }
        long tcpSeq = runSeq & MASK;
        // the write happened when the first byte left; the read when the last byte had arrived
        emitter.socketData(sender, Direction.EGRESS, runFirstNs, tcpSeq, runBytes, runPayload, 0, runPayloadLength);
        emitter.socketData(receiver, Direction.INGRESS, runLastNs, tcpSeq, runBytes, runPayload, 0,
                runPayloadLength);
        runBytes = 0;
        runPayloadLength = 0;
    }

    private void deliver(long seq, long timestampNs, byte[] frame, int offset, int captured, int length) {
        if (runBytes > 0 && runSeq + runBytes != seq) {
            flushCall(); // a gap: one call never spans missing bytes
        }
        if (runBytes > 0 && timestampNs - runLastNs > CALL_GAP_NS) {
            flushCall(); // a pause: the sender wrote again later
        }
        int payloadCap = emitter.filter().payloadBytes();
        int position = 0;
        while (position < length) {
            if (runBytes >= maxEventBytes) {
                flushCall();
            }
            if (runBytes == 0) {
                runSeq = seq + position;
                runFirstNs = timestampNs;
                runPayloadLength = 0;
                runPayloadContiguous = true;
            }
            int take = (int) Math.min(length - position, maxEventBytes - runBytes);
            if (runPayloadContiguous) {
                int available = Math.max(0, Math.min(captured, position + take) - position);
                int copy = Math.min(available, payloadCap - runPayloadLength);
                if (copy > 0) {
                    System.arraycopy(frame, offset + position, runPayload, runPayloadLength, copy);
                    runPayloadLength += copy;
                }
                // bytes the snap length cut off: later bytes must not be appended out of place
                if (available < take) {
                    runPayloadContiguous = false;
                }
            }
            runBytes += take;
            runLastNs = timestampNs;
            position += take;
        }
        nextSeq = seq + length;
    }

    private void hold(Held segment) {
        Held existing = held.get(segment.seq());
        if (existing != null && existing.length() >= segment.length()) {
            retransmitted(segment.timestampNs(), segment.length());
            return;
        }
        if (existing != null) {
            heldBytes -= existing.length();
        }
        held.put(segment.seq(), segment);
        heldBytes += segment.length();
        counters.increment(ReplayCounter.REORDERED_SEGMENTS);
        while (heldBytes > reorderBytes && !held.isEmpty()) {
            skipToFirstHeld();
        }
    }

    private void drainHeld() {
        while (!held.isEmpty()) {
            Map.Entry<Long, Held> first = held.firstEntry();
            Held segment = first.getValue();
            if (segment.seq() > nextSeq) {
                return;
            }
            held.pollFirstEntry();
            heldBytes -= segment.length();
            long end = segment.seq() + segment.length();
            if (end <= nextSeq) {
                retransmitted(segment.timestampNs(), segment.length());
                continue;
            }
            int overlap = (int) (nextSeq - segment.seq());
            deliver(nextSeq, segment.timestampNs(), segment.frame(), segment.offset() + overlap,
                    Math.max(0, segment.captured() - overlap), segment.length() - overlap);
        }
    }

    /** The bytes before the first held segment never came: count the hole and deliver from there. */
    private void skipToFirstHeld() {
        long first = held.firstKey();
        if (first > nextSeq) {
            counters.increment(ReplayCounter.GAPS);
            counters.add(ReplayCounter.GAP_BYTES, first - nextSeq);
            flushCall();
            nextSeq = first;
        }
        drainHeld();
    }

    private void retransmitted(long timestampNs, int bytes) {
        counters.increment(ReplayCounter.RETRANSMITTED_SEGMENTS);
        counters.add(ReplayCounter.RETRANSMITTED_BYTES, bytes);
        sender.retransmits++;
        emitter.tcpEvent(sender, TcpEventType.RETRANSMIT, timestampNs, null, "TCP_ESTABLISHED", null, null, false);
    }
}
