package io.tapflow.protocols.http1;

import io.tapflow.protocols.AbstractStreamDecoder;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.MessageSink;
import io.tapflow.protocols.ParserOptions;
import io.tapflow.protocols.StateFormats;
import io.tapflow.protocols.http1.Http1HeadParser.EventMode;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Decodes the requests (client to server) or the responses (server to client) of one HTTP/1.0 or HTTP/1.1
 * connection: keep-alive and pipelined messages one after the other, bodies framed by Content-Length, by chunked
 * transfer coding or by the end of the connection. Body bytes are consumed as they arrive, captured or not, so a
 * message of any size holds no more than one segment in memory and ends exactly at its declared length.
 *
 * <p>What a response decoder cannot know because the request travels the other way (see {@link Http1Parser}):
 * <ul>
 *   <li>HEAD responses declare a Content-Length but carry no body. Heuristic: when the bytes right after a
 *       response head that declares a body begin with {@code HTTP/1.} (a status line), the response had no body.
 *       The decision waits for the next bytes; at the end of the connection the response is emitted bodyless.</li>
 *   <li>Interim 1xx responses (100 Continue, 102, 103) are consumed without a message: they are not the answer
 *       to a request, and emitting them would shift the in-order pairing of every later response.</li>
 *   <li>101 Switching Protocols is emitted (with attribute {@code http.upgrade}) and decoding stops: the rest of
 *       the direction is HTTP/2 (h2c), WebSocket or another protocol and is skipped unread. The request side
 *       stops likewise after a request carrying {@code Upgrade} (or a CONNECT) when the next bytes are not an
 *       HTTP/1 request (the server refused the upgrade otherwise). A 2xx response to CONNECT has no length and
 *       is therefore read as a body ended by close.</li>
 * </ul>
 */
final class Http1Decoder extends AbstractStreamDecoder {

    /** A start line longer than this without its end is garbage, not a long URL worth waiting for. */
    private static final int MAX_START_LINE = 16 * 1024;
    /** A chunk-size line (hex size and extensions) longer than this is garbage. */
    private static final int MAX_CHUNK_LINE = 1024;
    private static final long LF = Http1HeadParser.pattern((byte) '\n');

    private enum State {
        HEAD, PEEK_BODY, FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, UNTIL_CLOSE, UPGRADE_PENDING, TUNNEL
    }

    private final boolean requests;
    private final Http1HeadParser head;
    private final Http1Body body;

    private State state = State.HEAD;
    /**
     * Where the search for the end of a head that did not arrive whole resumes (bytes already known not to end
     * it); 0 while the head has not been looked at.
     */
    private int scanned;
    /** Offset (from the read position) of the last '\n' of that head found so far, or -1. */
    private int lastLf = -1;
    private boolean marked;
    private long msgStart;
    private L7Message.Builder msg;
    private long remaining;
    private boolean truncated;
    private long lastTs;
    private State next = State.HEAD;
    private int crlfSeen;

    Http1Decoder(ParserOptions options, Http1HeaderTable table, boolean requests) {
        super(options);
        this.requests = requests;
        this.head = new Http1HeadParser(table, options.requestIdHeader());
        this.body = new Http1Body(options.maxBodyBytes(), options.maxEvents(), options.maxBufferedBytes());
    }

    @Override
    protected Step decode(MessageSink out) {
        return switch (state) {
            case HEAD -> head(out);
            case PEEK_BODY -> peekBody(out);
            case FIXED, CHUNK_DATA, UNTIL_CLOSE -> data(out);
            case CHUNK_SIZE -> chunkSize(out);
            case CHUNK_END -> chunkEnd();
            case TRAILERS -> trailers(out);
            case UPGRADE_PENDING -> upgradePending(out);
            case TUNNEL -> {
                in.skip(in.available());
                yield Step.PROGRESS;
            }
        };
    }

    private Step head(MessageSink out) {
        int c = in.contiguous();
        if (c == 0) {
            return Step.NEED_MORE;
        }
        byte[] a = in.array();
        int s = in.start();
        if (a[s] == '\r' || a[s] == '\n') {
            // stray line ends between messages (RFC 9112 §2.2 lets a server ignore them)
            int k = 0;
            while (k < c && (a[s + k] == '\r' || a[s + k] == '\n')) {
                k++;
            }
            in.skip(k);
            scanned = 0;
            lastLf = -1;
            marked = false;
            return Step.PROGRESS;
        }
        if (!marked) {
            in.mark(in.position());
            marked = true;
        }
        // the common case: the whole head is here, parsed in one pass; else wait for its end, then parse it. A
        // head that parses has a plausible start, so garbage is told apart only when the parse fails
        int len = scanned == 0 ? head.parse(a, s, s + c, requests) : Http1HeadParser.INCOMPLETE;
        if (len < 0) {
            if (!Http1HeadParser.plausibleStart(a, s, c, requests)) {
                return malformed(requests ? "not an HTTP/1 request line" : "not an HTTP/1 status line");
            }
            int end = headEnd(a, s, c);
            if (end < 0) {
                if (scanned == c && c > MAX_START_LINE && Http1HeadParser.indexOf(a, s, s + c, (byte) '\n') < 0) {
                    return malformed("start line too long");
                }
                return Step.NEED_MORE;
            }
            len = head.parse(a, s, s + end, requests);
            if (len < 0) {
                return malformed(head.error);
            }
        }
        msgStart = in.position();
        msg = head.builder.start(in.origin(msgStart));
        head.builder = null;
        truncated = false;
        scanned = 0;
        lastLf = -1;
        marked = false;
        long whole = head.chunked ? wholeChunked(a, s, c, len) : wholeMessage(a, s, c, len);
        if (whole >= 0) {
            return completeWhole(out, len, whole);
        }
        lastTs = in.timestampNs(msgStart + len - 1);
        in.skip(len);
        in.mark(in.position());
        return requests ? afterRequestHead(out) : afterResponseHead(out);
    }

    /**
     * Length of the message whose head of {@code len} bytes was just parsed at {@code a[s, s+c)} when all of it is
     * there and it needs no state after its head (no chunks, no upgrade, no interim or bodyless-by-close
     * response, no HEAD-response guess left open), else -1. The common keep-alive exchange: it is then consumed
     * in one step by {@link #completeWhole}, with the same outcome as the states it skips.
     */
    private long wholeMessage(byte[] a, int s, int c, int len) {
        long cl = head.contentLength;
        if (head.chunked || cl > c - len) {
            return -1;
        }
        if (requests) {
            return head.upgrade != null || "CONNECT".equals(head.method) ? -1 : len + Math.max(cl, 0);
        }
        int status = head.status;
        if (status < 200 || status == 101) {
            return -1;
        }
        if (status == 204 || status == 304 || cl == 0) {
            return len;
        }
        if (cl < 0 || c - len < 8 || statusLineAt(a, s + len)) {
            return -1; // a body to the close, or peekBody's guess still to make
        }
        return len + cl;
    }

    /**
     * {@link #wholeMessage} of a chunked message: its length when every chunk, the last chunk and the trailers are
     * in {@code a[s, s+c)} and well formed, and its body bytes are not kept, else -1 (the states then decode it step
     * by step, errors included). Consumed in one step by {@link #completeWhole}, with the outcome of the CHUNK_SIZE,
     * CHUNK_DATA, CHUNK_END and TRAILERS steps it skips: a chunked response took six decode steps.
     */
    private long wholeChunked(byte[] a, int s, int c, int len) {
        if (requests ? head.upgrade != null || "CONNECT".equals(head.method)
                : head.status < 200 || head.status == 101 || head.status == 204 || head.status == 304) {
            return -1;
        }
        body.begin(requests ? EventMode.NONE : head.eventMode); // as afterResponseHead: a chunked body is streamed
        if (body.wantsBytes()) {
            return -1;
        }
        int end = s + c;
        int i = s + len;
        while (true) {
            int nl = Http1HeadParser.indexOf(a, i, Math.min(end, i + MAX_CHUNK_LINE), (byte) '\n');
            if (nl < 0) {
                return -1;
            }
            long size = 0;
            int digits = 0;
            for (int k = i; k < nl; k++) {
                int d = hexDigit(a[k]);
                if (d < 0) {
                    break;
                }
                if (++digits > 15) {
                    return -1;
                }
                size = size * 16 + d;
            }
            if (digits == 0) {
                return -1;
            }
            i = nl + 1;
            if (size == 0) {
                break;
            }
            if (size > end - i) {
                return -1;
            }
            i += (int) size;
            if (i < end && a[i] == '\r') {
                i++; // chunkEnd takes CRLF or a lone LF
            }
            if (i >= end || a[i] != '\n') {
                return -1;
            }
            i++;
        }
        while (true) {
            int nl = Http1HeadParser.indexOf(a, i, end, (byte) '\n');
            if (nl < 0) {
                return -1;
            }
            boolean empty = nl == i || (nl == i + 1 && a[i] == '\r');
            i = nl + 1;
            if (empty) {
                return i - s;
            }
        }
    }

    /** Value of the ASCII hex digit {@code b}, or -1: {@code Character.digit(b, 16)} for a byte. */
    private static int hexDigit(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        int lower = b | 0x20;
        return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
    }

    /** {@code a[i, i+8)} is {@code HTTP/1.0} or {@code HTTP/1.1}: {@link #peekBody}'s test. */
    private static boolean statusLineAt(byte[] a, int i) {
        for (int k = 0; k < 7; k++) {
            if (a[i + k] != "HTTP/1.".charAt(k)) {
                return false;
            }
        }
        return a[i + 7] == '0' || a[i + 7] == '1';
    }

    /** Consumes and emits the whole message of {@link #wholeMessage}: head, then its body (if any) at once. */
    private Step completeWhole(MessageSink out, int len, long whole) {
        boolean streamed = head.chunked || head.contentLength < 0;
        EventMode mode = requests || (head.eventMode == EventMode.JSON_LINES && !streamed) ? EventMode.NONE
                : head.eventMode;
        body.begin(mode);
        lastTs = in.timestampNs(msgStart + whole - 1);
        long bodyLen = whole - len;
        if (bodyLen > 0 && body.wantsBytes()) {
            in.skip(len);
            body.data(in, (int) bodyLen);
            in.skip(bodyLen);
        } else {
            in.skip(whole);
        }
        in.mark(in.position());
        next = State.HEAD;
        complete(out);
        return Step.PROGRESS;
    }

    private Step afterRequestHead(MessageSink out) {
        String method = head.method;
        next = head.upgrade != null || "CONNECT".equals(method) ? State.UPGRADE_PENDING : State.HEAD;
        body.begin(EventMode.NONE);
        if (head.chunked) {
            state = State.CHUNK_SIZE;
        } else if (head.contentLength > 0) {
            remaining = head.contentLength;
            state = State.FIXED;
        } else {
            complete(out);
        }
        return Step.PROGRESS;
    }

    private Step afterResponseHead(MessageSink out) {
        int status = head.status;
        next = State.HEAD;
        if (status < 200 && status != 101) {
            msg = null; // interim response: see the class comment
            return Step.PROGRESS;
        }
        boolean streamed = head.chunked || head.contentLength < 0;
        EventMode mode = head.eventMode == EventMode.JSON_LINES && !streamed ? EventMode.NONE : head.eventMode;
        body.begin(mode);
        if (status == 101) {
            msg.attribute("http.upgrade", head.upgrade);
            next = State.TUNNEL;
            complete(out);
        } else if (status == 204 || status == 304) {
            complete(out);
        } else if (head.chunked) {
            state = State.CHUNK_SIZE;
        } else if (head.contentLength == 0) {
            complete(out);
        } else if (head.contentLength > 0) {
            remaining = head.contentLength;
            state = State.PEEK_BODY;
        } else {
            state = State.UNTIL_CLOSE;
        }
        return Step.PROGRESS;
    }

    /** The HEAD-response heuristic: a status line right after the head means there was no body. */
    private Step peekBody(MessageSink out) {
        int c = in.contiguous();
        if (c > 0) {
            byte[] a = in.array();
            int s = in.start();
            int n = Math.min(c, 8);
            boolean statusLine = true;
            for (int i = 0; i < n && statusLine; i++) {
                byte b = a[s + i];
                statusLine = i < 7 ? b == "HTTP/1.".charAt(i) : b == '0' || b == '1';
            }
            if (statusLine && n < 8 && c == in.available()) {
                return Step.NEED_MORE;
            }
            if (statusLine && n == 8) {
                complete(out);
                return head(out);
            }
        }
        state = State.FIXED;
        return data(out);
    }

    /** Body bytes of a Content-Length body, of one chunk, or of a body ended by close. */
    private Step data(MessageSink out) {
        int c = in.contiguous();
        boolean toClose = state == State.UNTIL_CLOSE;
        long n;
        if (c > 0) {
            n = toClose ? c : Math.min(remaining, c);
            if (body.wantsBytes()) {
                body.data(in, (int) n);
            }
        } else {
            long hole = in.holeLength();
            if (hole <= 0) {
                hole = in.available();
            }
            n = toClose ? hole : Math.min(remaining, hole);
            body.gap(n);
            truncated = true;
        }
        lastTs = in.timestampNs(in.position() + n - 1);
        in.skip(n);
        in.mark(in.position());
        if (!toClose) {
            remaining -= n;
            if (remaining == 0) {
                if (state == State.CHUNK_DATA) {
                    state = State.CHUNK_END;
                    crlfSeen = 0;
                } else {
                    complete(out);
                }
            }
        }
        return Step.PROGRESS;
    }

    private Step chunkSize(MessageSink out) {
        int c = in.contiguous();
        int nl = in.indexOf((byte) '\n', 0, Math.min(c, MAX_CHUNK_LINE));
        if (nl < 0) {
            if (c >= MAX_CHUNK_LINE) {
                return malformed("chunk size line too long");
            }
            return framingLost(out, c);
        }
        long size = 0;
        int digits = 0;
        for (int i = 0; i < nl; i++) {
            int d = Character.digit(in.get(i), 16);
            if (d < 0) {
                break;
            }
            if (++digits > 15) {
                return malformed("chunk size too large");
            }
            size = size * 16 + d;
        }
        if (digits == 0) {
            return malformed("bad chunk size");
        }
        lastTs = in.timestampNs(in.position() + nl);
        in.skip(nl + 1);
        if (size == 0) {
            state = State.TRAILERS;
        } else {
            remaining = size;
            state = State.CHUNK_DATA;
        }
        return Step.PROGRESS;
    }

    /** The CRLF after a chunk's data; skipped blindly when it was not captured. */
    private Step chunkEnd() {
        long n;
        if (in.contiguous() == 0) {
            n = Math.min(Math.max(in.holeLength(), 1), 2 - crlfSeen);
            crlfSeen += (int) n;
            truncated = true;
        } else {
            byte b = in.get(0);
            if (b == '\r' && crlfSeen == 0) {
                crlfSeen = 1;
            } else if (b == '\n') {
                crlfSeen = 2;
            } else {
                return malformed("chunk data not followed by CRLF");
            }
            n = 1;
        }
        lastTs = in.timestampNs(in.position());
        in.skip(n);
        if (crlfSeen >= 2) {
            state = State.CHUNK_SIZE;
        }
        return Step.PROGRESS;
    }

    /** Trailer fields after the last chunk, up to the empty line that ends the message. */
    private Step trailers(MessageSink out) {
        int c = in.contiguous();
        int nl = in.indexOf((byte) '\n', 0, c);
        if (nl < 0) {
            return framingLost(out, c);
        }
        lastTs = in.timestampNs(in.position() + nl);
        boolean empty = nl == 0 || (nl == 1 && in.get(0) == '\r');
        in.skip(nl + 1);
        if (empty) {
            complete(out);
        }
        return Step.PROGRESS;
    }

    /** After an upgrade or CONNECT request: more HTTP/1 requests, or another protocol from here on. */
    private Step upgradePending(MessageSink out) {
        int c = in.contiguous();
        if (c > 0) {
            byte[] a = in.array();
            int s = in.start();
            int sp = Http1HeadParser.indexOf(a, s, s + Math.min(c, Http1HeadParser.MAX_METHOD + 1), (byte) ' ');
            if (sp > s && Http1HeadParser.knownMethod(a, s, sp - s) != null) {
                state = State.HEAD;
                return head(out);
            }
            if (sp < 0 && c < Http1HeadParser.MAX_METHOD + 1 && c == in.available()
                    && Http1HeadParser.plausibleStart(a, s, c, true)) {
                return Step.NEED_MORE;
            }
        }
        state = State.TUNNEL;
        in.skip(in.available());
        return Step.PROGRESS;
    }

    /**
     * The chunk framing continues in bytes that were not captured: the end of the message cannot be found. The
     * response still happened, so it is emitted, truncated and of unknown length, before the loop reports the
     * hole and resynchronises. While the line may still arrive whole, wait.
     */
    private Step framingLost(MessageSink out, int contiguous) {
        if (contiguous < in.available()) {
            truncated = true;
            complete(out, L7Message.UNKNOWN_LENGTH);
        }
        return Step.NEED_MORE;
    }

    private void complete(MessageSink out) {
        complete(out, in.position() - msgStart);
    }

    private void complete(MessageSink out, long length) {
        body.finish(msg, lastTs);
        out.message(msg.length(length).truncated(truncated).endTimestampNs(lastTs).build());
        msg = null;
        state = next;
        next = State.HEAD;
    }

    @Override
    protected void onClose(MessageSink out) {
        if (msg == null) {
            return;
        }
        switch (state) {
            case UNTIL_CLOSE, PEEK_BODY -> complete(out);
            case FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS -> {
                truncated = true; // the connection ended before the declared end of the body
                complete(out);
            }
            default -> {
            }
        }
    }

    /*
     * State format 1: a connection between messages (no message begun, or a head not whole yet), which is where a
     * checkpoint finds nearly every open connection. Mid-message state (a message builder, a body being framed)
     * stays in Java serialization. The head parser and body keep nothing from one message to the next but caches.
     */
    private static final int FORMAT_BETWEEN_MESSAGES = 1;
    /** States in format 1, by their code there (never by ordinal: renaming or adding states must not shift them). */
    private static final State[] STATE_CODES = {State.HEAD, State.UPGRADE_PENDING, State.TUNNEL};

    @Override
    public int stateFormat() {
        return msg == null && next == State.HEAD && StateFormats.code(STATE_CODES, state) >= 0
                ? FORMAT_BETWEEN_MESSAGES : 0;
    }

    @Override
    protected void writeStateFields(DataOutput out) throws IOException {
        out.writeByte(StateFormats.code(STATE_CODES, state));
        out.writeInt(scanned);
        out.writeInt(lastLf);
        out.writeBoolean(marked);
    }

    @Override
    protected void readStateFields(DataInput from, int format) throws IOException {
        StateFormats.require(format, FORMAT_BETWEEN_MESSAGES, "HTTP/1");
        state = StateFormats.fromCode(STATE_CODES, from.readUnsignedByte(), "HTTP/1 decoder state");
        scanned = from.readInt();
        lastLf = from.readInt();
        marked = from.readBoolean();
    }

    @Override
    protected void reset() {
        head.forget();
        state = State.HEAD;
        next = State.HEAD;
        msg = null;
        body.reset();
        scanned = 0;
        lastLf = -1;
        marked = false;
        remaining = 0;
        crlfSeen = 0;
        truncated = false;
    }

    /**
     * Length of the head (through its empty line) at {@code a[s, s+c)}, or -1 while incomplete: the head ends at a
     * '\n' that follows the previous one directly or after one '\r'. Looks at 8 bytes per step and resumes where
     * the last call stopped, so a head that arrives in many pieces is scanned once.
     */
    private int headEnd(byte[] a, int s, int c) {
        int i = scanned;
        int last = c - Long.BYTES;
        for (; i <= last; i += Long.BYTES) {
            long found = Http1HeadParser.matches(a, s + i, LF);
            while (found != 0) {
                int r = i + (Long.numberOfTrailingZeros(found) >>> 3);
                if (endsHead(a, s, r)) {
                    return r + 1;
                }
                found &= found - 1;
            }
        }
        for (; i < c; i++) {
            if (a[s + i] == '\n' && endsHead(a, s, i)) {
                return i + 1;
            }
        }
        scanned = c;
        return -1;
    }

    /** Records the '\n' at offset {@code r}; true when it ends the head. */
    private boolean endsHead(byte[] a, int s, int r) {
        boolean end = lastLf >= 0 && (lastLf == r - 1 || (lastLf == r - 2 && a[s + r - 1] == '\r'));
        lastLf = r;
        return end;
    }
}
