package io.tapflow.protocols;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

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
public final class StreamBuffer implements Serializable {

    /** Time, TCP sequence number and thread trace id of the call that carried a given stream position. */
    public record Origin(long timestampNs, long tcpSeq, long threadTraceId) implements Serializable {
    }

    private static final Origin NONE = new Origin(0, Segment.NO_TCP_SEQ, 0);

    /*
     * Pieces (runs of captured bytes, each followed by a hole) and metas (the origin of each segment) are rings of
     * parallel primitive arrays rather than deques of objects: the decoders ask for them several times per
     * message, and walking deques with iterators (plus an object per segment) showed in the HTTP/1 profile.
     * Piece positions and sizes shrink as the front is consumed; pieces address bytes by virtual index so that
     * compaction does not rewrite them.
     */
    private long[] piecePos = new long[4];
    private long[] pieceVidx = new long[4];
    private int[] pieceCaptured = new int[4];
    private long[] pieceHole = new long[4];
    private int pieceHead;
    private int pieceCount;

    private long[] metaPos = new long[4];
    private long[] metaTs = new long[4];
    private long[] metaSeq = new long[4];
    private long[] metaTid = new long[4];
    private int metaHead;
    private int metaCount;

    private byte[] buf = new byte[256];
    /**
     * While a segment is decoded in place ({@link #appendInPlace}): the buffer's own array, {@link #buf} being the
     * segment's until {@link #release}. Null otherwise.
     */
    private transient byte[] own;
    /** Virtual index of buf[0]: pieces address bytes by virtual index so compaction does not rewrite them. */
    private long vbase;
    private int used;
    private long readPos;
    private long endPos;
    private long mark = -1;

    /** Appends the next segment of the stream. */
    public void append(Segment segment) {
        release();
        long pos = endPos;
        endPos += segment.byteCount();
        addMeta(pos, segment.timestampNs(), segment.tcpSeq(), segment.threadTraceId());
        if (segment.byteCount() == 0) {
            return;
        }
        ensureCapacity(segment.length());
        System.arraycopy(segment.bytes(), segment.offset(), buf, used, segment.length());
        long vidx = vbase + used;
        used += segment.length();
        addPiece(pos, vidx, segment.length(), segment.uncaptured());
        normalize();
    }

    /**
     * {@link #append} without copying the segment's bytes when nothing captured is buffered before them (the
     * common case: a segment that starts a message or carries a body part): {@link #array()} is then the segment's
     * own array until {@link #release}, which keeps a copy of what is left unread. The caller releases before it
     * returns, so the segment's array is never held after it. Copying every segment showed in the HTTP/1 profile.
     */
    public void appendInPlace(Segment segment) {
        release();
        if (pieceCount > 0 || segment.length() == 0) {
            append(segment);
            return;
        }
        long pos = endPos;
        endPos += segment.byteCount();
        addMeta(pos, segment.timestampNs(), segment.tcpSeq(), segment.threadTraceId());
        // nothing buffered, so used == 0 (normalize) and the first byte's virtual index is vbase
        long vidx = vbase;
        own = buf;
        buf = segment.bytes();
        vbase -= segment.offset();
        used = segment.offset() + segment.length();
        addPiece(pos, vidx, segment.length(), segment.uncaptured());
        normalize();
    }

    /** Ends an {@link #appendInPlace}: the bytes not consumed yet are copied into the buffer's own array. */
    public void release() {
        byte[] mine = own;
        if (mine == null) {
            return;
        }
        int live = buffered();
        int liveStart = used - live;
        if (live > mine.length) {
            mine = new byte[Math.max(mine.length * 2, live)];
        }
        System.arraycopy(buf, liveStart, mine, 0, live);
        vbase += liveStart;
        used = live;
        buf = mine;
        own = null;
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
        if (pieceCount == 0) {
            return 0;
        }
        if (pieceCount == 1 || pieceHole[pieceHead] > 0) {
            return pieceCaptured[pieceHead]; // the common case, asked several times per message: no loop
        }
        int n = 0;
        int mask = piecePos.length - 1;
        for (int k = 0; k < pieceCount; k++) {
            int i = (pieceHead + k) & mask;
            n += pieceCaptured[i];
            if (pieceHole[i] > 0) {
                break;
            }
        }
        return n;
    }

    /** True when the read position sits on bytes that were not captured. */
    public boolean atHole() {
        return pieceCount > 0 && pieceCaptured[pieceHead] == 0 && pieceHole[pieceHead] > 0;
    }

    /**
     * Uncaptured bytes from the read position up to the next captured byte or the end of what arrived; 0 unless
     * {@link #atHole()}. Lets a decoder skip exactly one hole of a body and still read the captured bytes after it.
     */
    public long holeLength() {
        return pieceCount > 0 && pieceCaptured[pieceHead] == 0 ? pieceHole[pieceHead] : 0;
    }

    /** Captured bytes held (what counts against a decoder's memory bound). */
    public int buffered() {
        return pieceCount == 0 ? 0 : (int) (vbase + used - pieceVidx[pieceHead]);
    }

    /** The array holding the contiguous bytes; valid until the next append or skip. */
    public byte[] array() {
        return buf;
    }

    /** Index in {@link #array()} of the byte at the read position. */
    public int start() {
        return pieceCount == 0 ? used : (int) (pieceVidx[pieceHead] - vbase);
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
        for (int k = 0; k < metaCount; k++) {
            long pos = metaPos[(metaHead + k) & (metaPos.length - 1)];
            if (pos > readPos) {
                next = pos;
                break;
            }
        }
        readPos = Math.max(readPos, next);
        normalize();
    }

    /** True when the read position is the first byte of a segment: where messages usually begin. */
    public boolean atSegmentStart() {
        for (int k = 0; k < metaCount; k++) {
            long pos = metaPos[(metaHead + k) & (metaPos.length - 1)];
            if (pos == readPos) {
                return true;
            }
            if (pos > readPos) {
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
        int found = metaAt(position);
        if (found < 0) {
            return NONE;
        }
        long tcpSeq = metaSeq[found];
        long seq = tcpSeq == Segment.NO_TCP_SEQ ? Segment.NO_TCP_SEQ
                : (tcpSeq + (position - metaPos[found])) & 0xFFFF_FFFFL;
        return new Origin(metaTs[found], seq, metaTid[found]);
    }

    /**
     * Time of the call that carried {@code position}: {@code origin(position).timestampNs()} without building the
     * origin, for decoders that need only the end time of every body they skip.
     */
    public long timestampNs(long position) {
        int found = metaAt(position);
        return found < 0 ? NONE.timestampNs() : metaTs[found];
    }

    /**
     * Time of the call that carried the last byte of a unit ending just before {@code end}, or of the last byte fed
     * while the unit has not all arrived (the read position's when nothing lies before it): the end time of a
     * message emitted as soon as its header is decoded.
     */
    public long endTimestampNs(long end) {
        return timestampNs(Math.max(readPos, Math.min(end, endPos) - 1));
    }

    /** Ring index of the last meta at or before {@code position}, or -1. */
    private int metaAt(long position) {
        if (metaCount == 1) {
            return metaPos[metaHead] <= position ? metaHead : -1; // a message within one segment: no loop
        }
        int found = -1;
        for (int k = 0; k < metaCount; k++) {
            int i = (metaHead + k) & (metaPos.length - 1);
            if (metaPos[i] > position) {
                break;
            }
            found = i;
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
        while (pieceCount > 0
                && piecePos[pieceHead] + pieceCaptured[pieceHead] + pieceHole[pieceHead] <= readPos) {
            pieceHead = (pieceHead + 1) & (piecePos.length - 1);
            pieceCount--;
        }
        if (pieceCount > 0 && readPos > piecePos[pieceHead]) {
            int f = pieceHead;
            long d = readPos - piecePos[f];
            int dc = (int) Math.min(d, pieceCaptured[f]);
            piecePos[f] += dc;
            pieceVidx[f] += dc;
            pieceCaptured[f] -= dc;
            d -= dc;
            pieceHole[f] -= d;
            piecePos[f] += d;
        }
        if (pieceCount == 0) {
            vbase += used;
            used = 0;
        }
        trimMetas();
    }

    private void trimMetas() {
        long keepFrom = mark >= 0 ? Math.min(mark, readPos) : readPos;
        // keep the last meta at or before keepFrom: it holds the origin of keepFrom itself
        int mask = metaPos.length - 1;
        while (metaCount > 1 && metaPos[(metaHead + 1) & mask] <= keepFrom) {
            metaHead = (metaHead + 1) & mask;
            metaCount--;
        }
    }

    private void addPiece(long pos, long vidx, int captured, long hole) {
        if (pieceCount == piecePos.length) {
            piecePos = grow(piecePos, pieceHead, pieceCount);
            pieceVidx = grow(pieceVidx, pieceHead, pieceCount);
            pieceHole = grow(pieceHole, pieceHead, pieceCount);
            int[] c = new int[pieceCaptured.length * 2];
            for (int k = 0; k < pieceCount; k++) {
                c[k] = pieceCaptured[(pieceHead + k) & (pieceCaptured.length - 1)];
            }
            pieceCaptured = c;
            pieceHead = 0;
        }
        int i = (pieceHead + pieceCount) & (piecePos.length - 1);
        piecePos[i] = pos;
        pieceVidx[i] = vidx;
        pieceCaptured[i] = captured;
        pieceHole[i] = hole;
        pieceCount++;
    }

    private void addMeta(long pos, long timestampNs, long tcpSeq, long threadTraceId) {
        if (metaCount == metaPos.length) {
            metaPos = grow(metaPos, metaHead, metaCount);
            metaTs = grow(metaTs, metaHead, metaCount);
            metaSeq = grow(metaSeq, metaHead, metaCount);
            metaTid = grow(metaTid, metaHead, metaCount);
            metaHead = 0;
        }
        int i = (metaHead + metaCount) & (metaPos.length - 1);
        metaPos[i] = pos;
        metaTs[i] = timestampNs;
        metaSeq[i] = tcpSeq;
        metaTid[i] = threadTraceId;
        metaCount++;
    }

    /** The full ring {@code a} (head at {@code head}) unrolled into an array twice its size. */
    private static long[] grow(long[] a, int head, int count) {
        long[] b = new long[a.length * 2];
        for (int k = 0; k < count; k++) {
            b[k] = a[(head + k) & (a.length - 1)];
        }
        return b;
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

    /*
     * Serialized form: the live state only — scalars, the pieces and metas in ring order, the unread captured bytes.
     * The flow job keeps a decoder's buffer in its checkpoints for every open connection, and the default form wrote
     * eight ring arrays and the whole byte array, spare capacity included, with their descriptors.
     */
    private void writeObject(ObjectOutputStream out) throws IOException {
        writeState(out);
    }

    private void readObject(ObjectInputStream in) throws IOException {
        readState(in);
    }

    /**
     * Writes the live state (the serialized form above) for a decoder's {@link StreamDecoder#writeState}; the
     * layout is part of every decoder format that includes a buffer, so a change to it is a new format of each.
     */
    public void writeState(DataOutput out) throws IOException {
        release();
        int live = buffered();
        out.writeLong(vbase + used - live);
        out.writeLong(readPos);
        out.writeLong(endPos);
        out.writeLong(mark);
        out.writeInt(pieceCount);
        for (int k = 0; k < pieceCount; k++) {
            int i = (pieceHead + k) & (piecePos.length - 1);
            out.writeLong(piecePos[i]);
            out.writeLong(pieceVidx[i]);
            out.writeInt(pieceCaptured[i]);
            out.writeLong(pieceHole[i]);
        }
        out.writeInt(metaCount);
        for (int k = 0; k < metaCount; k++) {
            int i = (metaHead + k) & (metaPos.length - 1);
            out.writeLong(metaPos[i]);
            out.writeLong(metaTs[i]);
            out.writeLong(metaSeq[i]);
            out.writeLong(metaTid[i]);
        }
        out.writeInt(live);
        out.write(buf, used - live, live);
    }

    /** Reads what {@link #writeState} wrote into this buffer, replacing its state. */
    public void readState(DataInput in) throws IOException {
        own = null;
        vbase = in.readLong();
        readPos = in.readLong();
        endPos = in.readLong();
        mark = in.readLong();
        pieceCount = checkedCount(in.readInt());
        int pieces = ringCapacity(pieceCount);
        piecePos = new long[pieces];
        pieceVidx = new long[pieces];
        pieceCaptured = new int[pieces];
        pieceHole = new long[pieces];
        pieceHead = 0;
        for (int k = 0; k < pieceCount; k++) {
            piecePos[k] = in.readLong();
            pieceVidx[k] = in.readLong();
            pieceCaptured[k] = in.readInt();
            pieceHole[k] = in.readLong();
        }
        metaCount = checkedCount(in.readInt());
        int metas = ringCapacity(metaCount);
        metaPos = new long[metas];
        metaTs = new long[metas];
        metaSeq = new long[metas];
        metaTid = new long[metas];
        metaHead = 0;
        for (int k = 0; k < metaCount; k++) {
            metaPos[k] = in.readLong();
            metaTs[k] = in.readLong();
            metaSeq[k] = in.readLong();
            metaTid[k] = in.readLong();
        }
        used = checkedCount(in.readInt());
        buf = new byte[Math.max(256, used)];
        in.readFully(buf, 0, used);
    }

    private static int checkedCount(int n) throws InvalidObjectException {
        if (n < 0 || n > 1 << 28) {
            throw new InvalidObjectException("stream buffer state with a count of " + n);
        }
        return n;
    }

    /** Rings are indexed with a mask: a power of two, at least the initial 4. */
    private static int ringCapacity(int count) {
        return Math.max(4, Integer.highestOneBit(Math.max(1, count - 1)) << 1);
    }
}
