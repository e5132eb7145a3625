package io.tapflow.protocols;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;

/**
 * The bytes of one direction of a connection that a decoder has been fed and not yet consumed, with holes where
 * bytes moved but were not captured (see {@link Segment}).
 *
 * <p>Positions are absolute offsets in the direction's byte stream (captured and uncaptured bytes alike). The
 * decoder reads the captured bytes from the read position up to the next hole ({@link #contiguous()}) directly
 * from {@link #array()} at {@link #start()}, and {@link #skip(long) skips} past what it consumed — a message body
 * whose length was declared may be skipped across holes and even beyond what has arrived yet: the bytes that
 * arrive later are dropped up to the skipped position.
 *
 * <p>Each segment's time, sequence number and thread trace id are kept from the {@link #mark(long) mark} on, so a
 * decoder can ask for the {@link #origin(long) origin} of any position of the message it is decoding.
 */
public final class StreamBuffer {

    /** Time, TCP sequence number and thread trace id of the call that carried a given stream position. */
    public record Origin(long timestampNs, long tcpSeq, long threadTraceId) {
    }

    private static final Origin NONE = new Origin(0, Segment.NO_TCP_SEQ, 0);

    /** A run of captured bytes followed by a hole; positions and sizes shrink as the front is consumed. */
    private static final class Piece {
        long pos;
        long vidx;
        int captured;
        long hole;

        Piece(long pos, long vidx, int captured, long hole) {
            this.pos = pos;
            this.vidx = vidx;
            this.captured = captured;
            this.hole = hole;
        }

        long end() {
            return pos + captured + hole;
        }
    }

    private record Meta(long pos, long timestampNs, long tcpSeq, long threadTraceId) {
    }

    private final ArrayDeque<Piece> pieces = new ArrayDeque<>();
    private final ArrayDeque<Meta> metas = new ArrayDeque<>();
    private byte[] buf = new byte[256];
    /** Virtual index of buf[0]: pieces address bytes by virtual index so compaction does not rewrite them. */
    private long vbase;
    private int used;
    private long readPos;
    private long endPos;
    private long mark = -1;

    /** Appends the next segment of the stream. */
    public void append(Segment segment) {
        long pos = endPos;
        endPos += segment.byteCount();
        metas.addLast(new Meta(pos, segment.timestampNs(), segment.tcpSeq(), segment.threadTraceId()));
        if (segment.byteCount() == 0) {
            return;
        }
        ensureCapacity(segment.length());
        System.arraycopy(segment.bytes(), segment.offset(), buf, used, segment.length());
        long vidx = vbase + used;
        used += segment.length();
        pieces.addLast(new Piece(pos, vidx, segment.length(), segment.uncaptured()));
        normalize();
    }

    /** Absolute stream position of the next unread byte. */
    public long position() {
        return readPos;
    }

    /** Absolute stream position just after the last byte fed (captured or not). */
    public long end() {
        return endPos;
    }

    /** Bytes fed and not consumed, captured or not. */
    public long available() {
        return Math.max(0, endPos - readPos);
    }

    /** Captured bytes from the read position up to the first hole (or the end). */
    public int contiguous() {
        int n = 0;
        for (Piece p : pieces) {
            n += p.captured;
            if (p.hole > 0) {
                break;
            }
        }
        return n;
    }

    /** True when the read position sits on bytes that were not captured. */
    public boolean atHole() {
        Piece first = pieces.peekFirst();
        return first != null && first.captured == 0 && first.hole > 0;
    }

    /**
     * Uncaptured bytes from the read position up to the next captured byte or the end of what arrived; 0 unless
     * {@link #atHole()}. Lets a decoder skip exactly one hole of a body and still read the captured bytes after it.
     */
    public long holeLength() {
        Piece first = pieces.peekFirst();
        return first != null && first.captured == 0 ? first.hole : 0;
    }

    /** Captured bytes held (what counts against a decoder's memory bound). */
    public int buffered() {
        Piece first = pieces.peekFirst();
        return first == null ? 0 : (int) (vbase + used - first.vidx);
    }

    /** The array holding the contiguous bytes; valid until the next append or skip. */
    public byte[] array() {
        return buf;
    }

    /** Index in {@link #array()} of the byte at the read position. */
    public int start() {
        Piece first = pieces.peekFirst();
        return first == null ? used : (int) (first.vidx - vbase);
    }

    /** The byte {@code i} bytes after the read position; {@code i < contiguous()}. */
    public byte get(int i) {
        return buf[start() + i];
    }

    /** Index (relative to the read position) of the first {@code b} in {@code [from, limit)}, or -1. */
    public int indexOf(byte b, int from, int limit) {
        int s = start();
        int end = s + Math.min(limit, contiguous());
        for (int i = s + from; i < end; i++) {
            if (buf[i] == b) {
                return i - s;
            }
        }
        return -1;
    }

    /** Copy of {@code len} contiguous bytes starting {@code from} bytes after the read position. */
    public byte[] copy(int from, int len) {
        int s = start() + from;
        return Arrays.copyOfRange(buf, s, s + len);
    }

    /** ISO-8859-1 text of {@code len} contiguous bytes starting {@code from} bytes after the read position. */
    public String latin1(int from, int len) {
        return new String(buf, start() + from, len, StandardCharsets.ISO_8859_1);
    }

    /** UTF-8 text of {@code len} contiguous bytes starting {@code from} bytes after the read position. */
    public String utf8(int from, int len) {
        return new String(buf, start() + from, len, StandardCharsets.UTF_8);
    }

    /**
     * Consumes {@code n} bytes, captured or not. May go beyond what has arrived: bytes arriving later are dropped
     * until the position is reached.
     */
    public void skip(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("skip " + n);
        }
        readPos += n;
        normalize();
    }

    /** Drops everything up to the start of the next segment (or the end), to resynchronise after garbage. */
    public void discardToNextSegment() {
        long next = endPos;
        for (Meta m : metas) {
            if (m.pos > readPos) {
                next = m.pos;
                break;
            }
        }
        readPos = Math.max(readPos, next);
        normalize();
    }

    /** True when the read position is the first byte of a segment: where messages usually begin. */
    public boolean atSegmentStart() {
        for (Meta m : metas) {
            if (m.pos == readPos) {
                return true;
            }
            if (m.pos > readPos) {
                return false;
            }
        }
        return false;
    }

    /** Keeps the origins of positions from {@code position} on (the first byte of the message being decoded). */
    public void mark(long position) {
        mark = position;
        trimMetas();
    }

    /** Time, sequence number and thread trace id of the call that carried {@code position}. */
    public Origin origin(long position) {
        Meta found = metaAt(position);
        if (found == null) {
            return NONE;
        }
        long seq = found.tcpSeq == Segment.NO_TCP_SEQ ? Segment.NO_TCP_SEQ
                : (found.tcpSeq + (position - found.pos)) & 0xFFFF_FFFFL;
        return new Origin(found.timestampNs, seq, found.threadTraceId);
    }

    /**
     * Time of the call that carried {@code position}: {@code origin(position).timestampNs()} without building the
     * origin, for decoders that need only the end time of every body they skip.
     */
    public long timestampNs(long position) {
        Meta found = metaAt(position);
        return found == null ? NONE.timestampNs() : found.timestampNs;
    }

    /**
     * Time of the call that carried the last byte of a unit ending just before {@code end}, or of the last byte fed
     * while the unit has not all arrived (the read position's when nothing lies before it): the end time of a
     * message emitted as soon as its header is decoded.
     */
    public long endTimestampNs(long end) {
        return timestampNs(Math.max(readPos, Math.min(end, endPos) - 1));
    }

    private Meta metaAt(long position) {
        Meta found = null;
        for (Meta m : metas) {
            if (m.pos > position) {
                break;
            }
            found = m;
        }
        return found;
    }

    /** Origin of the byte at the read position. */
    public Origin origin() {
        return origin(readPos);
    }

    /** Forgets everything fed so far; the next append starts a fresh run at the current end. */
    public void clear() {
        readPos = endPos;
        mark = -1;
        normalize();
    }

    private void normalize() {
        while (!pieces.isEmpty() && pieces.peekFirst().end() <= readPos) {
            pieces.removeFirst();
        }
        Piece first = pieces.peekFirst();
        if (first != null && readPos > first.pos) {
            long d = readPos - first.pos;
            int dc = (int) Math.min(d, first.captured);
            first.pos += dc;
            first.vidx += dc;
            first.captured -= dc;
            d -= dc;
            first.hole -= d;
            first.pos += d;
        }
        if (pieces.isEmpty()) {
            vbase += used;
            used = 0;
        }
        trimMetas();
    }

    private void trimMetas() {
        long keepFrom = mark >= 0 ? Math.min(mark, readPos) : readPos;
        // keep the last meta at or before keepFrom: it holds the origin of keepFrom itself
        while (metas.size() > 1) {
            Iterator<Meta> it = metas.iterator();
            it.next();
            if (it.next().pos <= keepFrom) {
                metas.removeFirst();
            } else {
                break;
            }
        }
    }

    private void ensureCapacity(int extra) {
        int live = buffered();
        int liveStart = used - live;
        if (liveStart > 0 && (used + extra > buf.length || liveStart > buf.length / 2)) {
            System.arraycopy(buf, liveStart, buf, 0, live);
            vbase += liveStart;
            used = live;
        }
        if (used + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, used + extra));
        }
    }
}
