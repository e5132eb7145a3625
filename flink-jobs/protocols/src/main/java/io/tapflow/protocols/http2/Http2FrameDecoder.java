package io.tapflow.protocols.http2;

import static io.tapflow.protocols.http2.Http2Frames.CONTINUATION;
import static io.tapflow.protocols.http2.Http2Frames.DATA;
import static io.tapflow.protocols.http2.Http2Frames.FLAG_END_HEADERS;
import static io.tapflow.protocols.http2.Http2Frames.FLAG_END_STREAM;
import static io.tapflow.protocols.http2.Http2Frames.FLAG_PADDED;
import static io.tapflow.protocols.http2.Http2Frames.FLAG_PRIORITY;
import static io.tapflow.protocols.http2.Http2Frames.HEADERS;
import static io.tapflow.protocols.http2.Http2Frames.HEADER_LENGTH;
import static io.tapflow.protocols.http2.Http2Frames.PUSH_PROMISE;
import static io.tapflow.protocols.http2.Http2Frames.RST_STREAM;

import io.tapflow.protocols.AbstractStreamDecoder;
import io.tapflow.protocols.ByteReader;
import io.tapflow.protocols.DecodeError;
import io.tapflow.protocols.DeclaredBody;
import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.MessageSink;
import io.tapflow.protocols.ParserOptions;
import io.tapflow.protocols.StateFormats;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * Reads the frames of one direction of an HTTP/2 connection: the client preface, then 9-byte-header frames. Header
 * blocks (HEADERS/PUSH_PROMISE + CONTINUATION, padding and priority stripped) go through this direction's
 * {@link HpackDecoder}; everything per stream goes to the {@link Http2StreamAssembler}.
 *
 * <p><b>Uncaptured bytes.</b> A frame's declared length lets the reader skip a payload that was not captured: DATA
 * costs nothing but the truncated flag. A header block that was not captured cannot be decoded, and since it may
 * have changed the dynamic table, the direction's HPACK state is lost (see {@link HpackDecoder}); frames keep being
 * read, the block's stream still yields its message (flagged {@code http2.headers=incomplete}), and each such block
 * is reported as an {@link DecodeError.Kind#UNCAPTURED} error. A frame header that falls into a hole loses frame
 * sync: the base class resynchronises at the next segment, the HPACK state is lost, and the first frame header
 * read after that must look plausible ({@link Http2Frames#plausible}) or the segment is skipped too.
 *
 * <p>SETTINGS, PING, WINDOW_UPDATE, PRIORITY, GOAWAY and unknown frame types are skipped by length: none of them
 * changes what a message says. (SETTINGS_HEADER_TABLE_SIZE bounds the other direction's table, which only its own
 * size updates can change; see {@link HpackDecoder}.)
 */
final class Http2FrameDecoder extends AbstractStreamDecoder {

    /** Largest frame accepted as plausible after a loss of sync (SETTINGS_MAX_FRAME_SIZE may raise the default). */
    private static final int RESYNC_MAX_FRAME = 1 << 20;

    private final boolean clientSide;
    private final HpackDecoder hpack;
    private final Http2StreamAssembler streams;
    private static final HpackDecoder.Listener IGNORE = (n, v) -> { };
    private boolean prefaceChecked;
    // the DATA frame whose payload is being skipped
    private int dataStream;
    private final DeclaredBody dataPayload = new DeclaredBody();
    private long dataFrameBytes;
    private boolean dataEndStream;
    /** Size of the frame being decoded, header included. */
    private long frameBytes;
    private boolean lostSync;

    // a header block spread over CONTINUATION frames
    private int pendingStream = -1;
    private Http2Stream pendingTarget;
    private boolean pendingEndStream;
    private boolean pendingLost;
    private byte[] pendingBlock = new byte[0];
    private int pendingLength;

    Http2FrameDecoder(FlowDirection direction, ParserOptions options) {
        super(options);
        this.clientSide = direction == FlowDirection.CLIENT_TO_SERVER;
        this.hpack = new HpackDecoder(Math.max(HpackDecoder.DEFAULT_TABLE_SIZE, options.maxBufferedBytes() / 4));
        this.streams = new Http2StreamAssembler(direction, options);
        // a server's first bytes are frames; only the client starts with the preface
        this.prefaceChecked = !clientSide;
    }

    @Override
    protected Step decode(MessageSink out) {
        if (dataPayload.active()) {
            return dataPayload(out);
        }
        if (!prefaceChecked) {
            Step s = preface();
            if (s != null) {
                return s;
            }
        }
        int contiguous = in.contiguous();
        if (contiguous < HEADER_LENGTH) {
            return Step.NEED_MORE;
        }
        byte[] a = in.array();
        int h = in.start();
        if (lostSync && !Http2Frames.plausible(a, h, RESYNC_MAX_FRAME)) {
            return malformed("no plausible HTTP/2 frame header after a loss of sync");
        }
        lostSync = false;
        int len = Http2Frames.length(a, h);
        int type = a[h + 3] & 0xFF;
        int flags = a[h + 4] & 0xFF;
        int sid = Http2Frames.streamId(a, h + 5);
        long frameBytes = HEADER_LENGTH + (long) len;
        this.frameBytes = frameBytes;
        if (pendingStream >= 0 && type != CONTINUATION) {
            // RFC 9113 §6.10: nothing may interleave a header block; the block is unusable
            dropPending(out, "header block interrupted by a frame of type " + type);
        }
        switch (type) {
            case DATA -> {
                dataStream = sid;
                dataFrameBytes = frameBytes;
                dataEndStream = (flags & FLAG_END_STREAM) != 0;
                dataPayload.begin(len);
                if (len == 0) {
                    streams.data(sid, frameBytes, false, dataEndStream, endTimestamp(HEADER_LENGTH), out);
                }
                in.skip(HEADER_LENGTH);
                return Step.PROGRESS;
            }
            case HEADERS, PUSH_PROMISE, CONTINUATION, RST_STREAM -> {
                if (contiguous < frameBytes) {
                    boolean hole = in.contiguous() < in.available();
                    if (!hole && frameBytes <= options.maxBufferedBytes()) {
                        return Step.NEED_MORE;
                    }
                    uncapturedFrame(type, flags, sid, frameBytes, out);
                    in.skip(frameBytes);
                    return Step.PROGRESS;
                }
                switch (type) {
                    case RST_STREAM -> streams.reset(sid, len >= 4 ? ByteReader.u32(a, h + 9) : 0,
                            in.origin(), endTimestamp(frameBytes), out);
                    case CONTINUATION -> continuation(a, h + HEADER_LENGTH, len, flags, sid, out);
                    default -> headerFrame(a, h + HEADER_LENGTH, len, type, flags, sid, out);
                }
                in.skip(frameBytes);
                return Step.PROGRESS;
            }
            default -> {
                in.skip(frameBytes);
                return Step.PROGRESS;
            }
        }
    }

    /**
     * Skips the payload of the current DATA frame as it arrives, captured or not, so that the message a final
     * DATA frame completes gets the time of the call that carried its last byte.
     */
    private Step dataPayload(MessageSink out) {
        if (dataPayload.consume(in)) {
            streams.data(dataStream, dataFrameBytes, dataPayload.uncaptured(), dataEndStream,
                    dataPayload.endTimestampNs(), out);
        }
        return Step.PROGRESS;
    }

    /** Skips the client preface at the start of the stream; null when the caller should go on with frames. */
    private Step preface() {
        byte[] p = Http2Frames.PREFACE;
        int n = Math.min(in.contiguous(), p.length);
        byte[] a = in.array();
        int s = in.start();
        for (int i = 0; i < n; i++) {
            if (a[s + i] != p[i]) {
                // a connection seen from its middle: frames right away
                prefaceChecked = true;
                return null;
            }
        }
        if (n < p.length) {
            return Step.NEED_MORE;
        }
        prefaceChecked = true;
        in.skip(p.length);
        return Step.PROGRESS;
    }

    private void headerFrame(byte[] a, int p, int len, int type, int flags, int sid, MessageSink out) {
        int end = p + len;
        int pad = 0;
        if ((flags & FLAG_PADDED) != 0) {
            if (len < 1) {
                protocolError(out, "PADDED frame without a pad length");
                return;
            }
            pad = a[p++] & 0xFF;
        }
        int target = sid;
        if (type == HEADERS && (flags & FLAG_PRIORITY) != 0) {
            p += 5;
        } else if (type == PUSH_PROMISE) {
            if (end - p < 4) {
                protocolError(out, "PUSH_PROMISE without a promised stream id");
                return;
            }
            target = Http2Frames.streamId(a, p);
            p += 4;
        }
        int blockEnd = end - pad;
        if (blockEnd < p) {
            protocolError(out, "padding longer than the frame");
            return;
        }
        Http2Stream stream = streamFor(type, target, len, out);
        boolean endStream = type == HEADERS && (flags & FLAG_END_STREAM) != 0;
        if ((flags & FLAG_END_HEADERS) != 0) {
            blockDone(stream, type, a, p, blockEnd - p, endStream, out);
            return;
        }
        pendingStream = sid;
        pendingTarget = type == PUSH_PROMISE ? null : stream;
        pendingEndStream = endStream;
        pendingLost = false;
        pendingLength = 0;
        appendPending(a, p, blockEnd - p);
    }

    private void continuation(byte[] a, int p, int len, int flags, int sid, MessageSink out) {
        if (pendingStream < 0 || pendingStream != sid) {
            protocolError(out, "CONTINUATION without a header block in progress on stream " + sid);
            return;
        }
        if (pendingTarget != null) {
            pendingTarget.length += HEADER_LENGTH + len;
        }
        if (!pendingLost) {
            if (pendingLength + len > options.maxBufferedBytes()) {
                pendingLost = true;
            } else {
                appendPending(a, p, len);
            }
        }
        if ((flags & FLAG_END_HEADERS) != 0) {
            Http2Stream target = pendingTarget;
            boolean endStream = pendingEndStream;
            boolean lost = pendingLost;
            pendingStream = -1;
            pendingTarget = null;
            if (lost) {
                blockLost(target, endStream, out, "header block larger than the decoder's bound");
            } else {
                blockDone(target, target == null ? PUSH_PROMISE : HEADERS, pendingBlock, 0, pendingLength,
                        endStream, out);
            }
        }
    }

    private Http2Stream streamFor(int type, int target, int len, MessageSink out) {
        Http2Stream stream = streams.open(target, in.origin(), out);
        if (type == PUSH_PROMISE) {
            stream.pushed = true;
        } else {
            stream.length += HEADER_LENGTH + len;
        }
        return stream;
    }

    private void blockDone(Http2Stream stream, int type, byte[] a, int off, int len, boolean endStream,
                           MessageSink out) {
        HpackDecoder.Result r = hpack.decode(a, off, len, type == PUSH_PROMISE || stream == null ? IGNORE : stream);
        if (r == HpackDecoder.Result.MALFORMED) {
            out.error(new DecodeError(DecodeError.Kind.MALFORMED, "invalid HPACK header block", in.position()));
        } else if (r == HpackDecoder.Result.PARTIAL) {
            out.error(new DecodeError(DecodeError.Kind.UNCAPTURED,
                    "header block decoded partially: HPACK state lost earlier", in.position()));
        }
        if (type != PUSH_PROMISE && stream != null) {
            streams.headersDone(stream, r, endStream, endTimestamp(frameBytes), out);
        }
    }

    private void blockLost(Http2Stream stream, boolean endStream, MessageSink out, String why) {
        hpack.invalidate();
        out.error(new DecodeError(DecodeError.Kind.UNCAPTURED, why + "; HPACK state lost", in.position()));
        if (stream != null) {
            streams.headersDone(stream, null, endStream, endTimestamp(frameBytes), out);
        }
    }

    /** A HEADERS, PUSH_PROMISE, CONTINUATION or RST_STREAM frame whose payload was not (all) captured. */
    private void uncapturedFrame(int type, int flags, int sid, long frameBytes, MessageSink out) {
        long end = endTimestamp(frameBytes);
        switch (type) {
            case RST_STREAM -> streams.reset(sid, 0x2, in.origin(), end, out);
            case HEADERS, PUSH_PROMISE -> {
                // a PUSH_PROMISE's promised id may be in the hole: no stream for it (pushes emit nothing anyway)
                Http2Stream stream = type == HEADERS ? streamFor(type, sid, (int) frameBytes - HEADER_LENGTH, out)
                        : null;
                boolean endStream = type == HEADERS && (flags & FLAG_END_STREAM) != 0;
                if (stream != null) {
                    stream.truncated = true;
                }
                if ((flags & FLAG_END_HEADERS) != 0) {
                    blockLost(stream, endStream, out, "header block not captured");
                } else {
                    pendingStream = sid;
                    pendingTarget = stream;
                    pendingEndStream = endStream;
                    pendingLost = true;
                    pendingLength = 0;
                }
            }
            default -> {
                if (pendingStream == sid) {
                    pendingLost = true;
                    if (pendingTarget != null) {
                        pendingTarget.length += frameBytes;
                    }
                    if ((flags & FLAG_END_HEADERS) != 0) {
                        Http2Stream target = pendingTarget;
                        pendingStream = -1;
                        pendingTarget = null;
                        blockLost(target, pendingEndStream, out, "header block not captured");
                    }
                } else {
                    hpack.invalidate();
                }
            }
        }
    }

    private void dropPending(MessageSink out, String why) {
        Http2Stream target = pendingTarget;
        boolean endStream = pendingEndStream;
        pendingStream = -1;
        pendingTarget = null;
        blockLost(target, endStream, out, why);
    }

    private void protocolError(MessageSink out, String why) {
        hpack.invalidate();
        out.error(new DecodeError(DecodeError.Kind.MALFORMED, why + "; HPACK state lost", in.position()));
    }

    private void appendPending(byte[] a, int off, int len) {
        if (pendingBlock.length < pendingLength + len) {
            pendingBlock = Arrays.copyOf(pendingBlock, Math.max(pendingLength + len, pendingBlock.length * 2));
        }
        System.arraycopy(a, off, pendingBlock, pendingLength, len);
        pendingLength += len;
    }

    /** Time of the call that carried the last byte of the frame of {@code frameBytes} (or the last fed so far). */
    private long endTimestamp(long frameBytes) {
        return in.endTimestampNs(in.position() + Math.max(frameBytes, 1));
    }

    @Override
    protected void reset() {
        // frames were lost: any of them may have been a header block
        hpack.invalidate();
        pendingStream = -1;
        pendingTarget = null;
        pendingLength = 0;
        dataPayload.clear();
        lostSync = true;
    }

    @Override
    protected void onClose(MessageSink out) {
        streams.closeAll(out);
    }

    /*
     * State format 1: between frames with no stream open (no DATA payload or header block part-way), where a
     * checkpoint finds most open connections: the buffer, the preface and sync flags, the HPACK dynamic table (the
     * connection's real state: later header blocks refer to it) and the ids of the streams emitted last.
     */
    private static final int FORMAT_NO_OPEN_STREAM = 1;

    @Override
    public int stateFormat() {
        return !dataPayload.active() && pendingStream < 0 && streams.idle() ? FORMAT_NO_OPEN_STREAM : 0;
    }

    @Override
    protected void writeStateFields(DataOutput out) throws IOException {
        out.writeBoolean(prefaceChecked);
        out.writeBoolean(lostSync);
        hpack.writeState(out);
        streams.writeState(out);
    }

    @Override
    protected void readStateFields(DataInput from, int format) throws IOException {
        StateFormats.require(format, FORMAT_NO_OPEN_STREAM, "HTTP/2");
        prefaceChecked = from.readBoolean();
        lostSync = from.readBoolean();
        hpack.readState(from);
        streams.readState(from);
    }
}
