package io.tapflow.protocols.http1;

import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.StreamBuffer;
import io.tapflow.protocols.StreamEvent;
import io.tapflow.protocols.http1.Http1HeadParser.EventMode;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the HTTP/1 decoder keeps of a (de-chunked) body: its first {@code maxBodyBytes} bytes and, for streamed
 * content types, its SSE events or NDJSON lines with the body offset of their first byte and the time of the call
 * that delivered their last byte. The decoder hands over the body as runs of captured bytes and gaps of uncaptured
 * ones, in order; chunk framing never reaches this class.
 *
 * <p>SSE framing follows the WHATWG event-stream rules: lines end at LF (a preceding CR is dropped), a blank line
 * dispatches the event, {@code data:} lines are joined by '\n', {@code event:} names it, comments and other fields
 * are ignored, an event without data is not dispatched, and an unterminated event at the end of the body is
 * dropped. An event or line that overlaps uncaptured bytes is still reported (its offset and time are known) with
 * {@code data == null}. Streamed {@code application/json} counts only lines holding one JSON object, so a
 * pretty-printed document yields no events.
 */
final class Http1Body implements Serializable {

    private final int maxBodyBytes;
    private final int maxEvents;
    private final int maxEventBytes;

    private long bodyPos;
    private byte[] prefix;
    private int prefixLen;
    private boolean prefixDone;

    private EventMode mode = EventMode.NONE;
    private boolean framing;
    private StreamBuffer cur;
    private long curPos;

    private byte[] lineBuf;
    private int lineLen;
    private boolean lineActive;
    private boolean lineTainted;
    private long lineStart;

    private long eventStart = -1;
    private String eventName;
    private byte[] dataBuf;
    private int dataLen;
    private boolean hasData;
    private boolean eventTainted;

    private List<StreamEvent> events;
    private boolean eventsTruncated;

    Http1Body(int maxBodyBytes, int maxEvents, int maxEventBytes) {
        this.maxBodyBytes = maxBodyBytes;
        this.maxEvents = maxEvents;
        this.maxEventBytes = maxEventBytes;
    }

    /** Starts the body of a new message. */
    void begin(EventMode eventMode) {
        reset();
        mode = eventMode;
        framing = eventMode != EventMode.NONE && maxEvents > 0;
    }

    /** True when the body's bytes are looked at; when false the decoder may skip them unseen. */
    boolean wantsBytes() {
        return framing || (maxBodyBytes > 0 && !prefixDone);
    }

    /** The next {@code n} body bytes, captured, at the read position of {@code in}. */
    void data(StreamBuffer in, int n) {
        byte[] a = in.array();
        int s = in.start();
        if (maxBodyBytes > 0 && !prefixDone) {
            int take = Math.min(n, maxBodyBytes - prefixLen);
            if (prefix == null) {
                prefix = new byte[Math.min(maxBodyBytes, Math.max(take, 256))];
            } else if (prefixLen + take > prefix.length) {
                prefix = Arrays.copyOf(prefix, Math.min(maxBodyBytes, Math.max(prefix.length * 2, prefixLen + take)));
            }
            System.arraycopy(a, s, prefix, prefixLen, take);
            prefixLen += take;
            prefixDone = prefixLen == maxBodyBytes;
        }
        if (framing) {
            cur = in;
            curPos = in.position();
            frame(a, s, n);
            cur = null;
        }
        bodyPos += n;
    }

    /** The next {@code n} body bytes were not captured. */
    void gap(long n) {
        prefixDone = true;
        if (framing) {
            if (!lineActive) {
                lineActive = true;
                lineStart = bodyPos;
            }
            lineTainted = true;
        }
        bodyPos += n;
    }

    /** The body ended; its last byte came with a call at {@code endTimestampNs}. */
    void finish(L7Message.Builder b, long endTimestampNs) {
        if (framing && lineActive && mode != EventMode.SSE) {
            byte[] line = lineBuf == null ? new byte[0] : lineBuf;
            lineComplete(line, 0, lineLen, endTimestampNs, -1);
        }
        if (prefixLen > 0) {
            b.body(Arrays.copyOf(prefix, prefixLen));
        }
        if (events != null) {
            b.events(events, eventsTruncated);
        }
        reset();
    }

    void reset() {
        bodyPos = 0;
        prefixLen = 0;
        prefixDone = false;
        mode = EventMode.NONE;
        framing = false;
        lineLen = 0;
        lineActive = false;
        lineTainted = false;
        resetEvent();
        events = null;
        eventsTruncated = false;
        if (prefix != null && prefix.length > 4096) {
            prefix = null;
        }
    }

    private void frame(byte[] a, int s, int n) {
        int i = 0;
        while (i < n && framing) {
            if (!lineActive) {
                lineActive = true;
                lineStart = bodyPos + i;
            }
            int nl = Http1HeadParser.indexOf(a, s + i, s + n, (byte) '\n');
            if (nl < 0) {
                appendLine(a, s + i, n - i);
                return;
            }
            int end = nl - s;
            if (lineLen == 0) {
                lineComplete(a, s + i, end - i, 0, curPos + end);
            } else {
                appendLine(a, s + i, end - i);
                lineComplete(lineBuf, 0, lineLen, 0, curPos + end);
            }
            lineLen = 0;
            lineActive = false;
            lineTainted = false;
            i = end + 1;
        }
    }

    /**
     * A line {@code b[off, off+len)} without its LF ended. Its end time is {@code endTs} or, when
     * {@code endPos >= 0}, that of the call that carried stream position {@code endPos} (looked up only if needed).
     */
    private void lineComplete(byte[] b, int off, int len, long endTs, long endPos) {
        if (len > 0 && b[off + len - 1] == '\r') {
            len--;
        }
        if (mode == EventMode.SSE) {
            sseLine(b, off, len, endTs, endPos);
            return;
        }
        int from = off;
        int to = off + len;
        while (from < to && (b[from] == ' ' || b[from] == '\t')) {
            from++;
        }
        while (to > from && (b[to - 1] == ' ' || b[to - 1] == '\t')) {
            to--;
        }
        if (lineTainted) {
            if (mode == EventMode.NDJSON) {
                emit(lineStart, time(endTs, endPos), null, null);
            }
            return;
        }
        if (from == to || (mode == EventMode.JSON_LINES && (b[from] != '{' || b[to - 1] != '}'))) {
            return;
        }
        emit(lineStart, time(endTs, endPos), null, new String(b, from, to - from, StandardCharsets.UTF_8));
    }

    private void sseLine(byte[] b, int off, int len, long endTs, long endPos) {
        if (lineTainted) {
            eventTainted = true;
            if (eventStart < 0) {
                eventStart = lineStart;
            }
            if (len > 0) {
                return;
            }
        }
        if (len == 0) {
            if (eventStart >= 0 && (hasData || eventTainted)) {
                emit(eventStart, time(endTs, endPos), eventName,
                        eventTainted ? null : new String(dataBuf, 0, dataLen, StandardCharsets.UTF_8));
            }
            resetEvent();
            return;
        }
        if (b[off] == ':') {
            return;
        }
        if (eventStart < 0) {
            eventStart = lineStart;
        }
        int colon = Http1HeadParser.indexOf(b, off, off + len, (byte) ':');
        int nameLen = (colon < 0 ? off + len : colon) - off;
        int vs = colon < 0 ? off + len : colon + 1;
        if (vs < off + len && b[vs] == ' ') {
            vs++;
        }
        if (nameLen == 4 && b[off] == 'd' && b[off + 1] == 'a' && b[off + 2] == 't' && b[off + 3] == 'a') {
            if (hasData) {
                appendData(NEWLINE, 0, 1);
            }
            appendData(b, vs, off + len - vs);
            hasData = true;
        } else if (nameLen == 5 && b[off] == 'e' && b[off + 1] == 'v' && b[off + 2] == 'e' && b[off + 3] == 'n'
                && b[off + 4] == 't') {
            eventName = new String(b, vs, off + len - vs, StandardCharsets.UTF_8);
        }
    }

    private static final byte[] NEWLINE = {'\n'};

    private long time(long endTs, long endPos) {
        return endPos >= 0 ? cur.origin(endPos).timestampNs() : endTs;
    }

    private void emit(long start, long ts, String event, String data) {
        if (events == null) {
            events = new ArrayList<>();
        }
        if (events.size() >= maxEvents) {
            eventsTruncated = true;
            framing = false;
            return;
        }
        events.add(new StreamEvent(start, ts, event, data));
    }

    private void appendLine(byte[] a, int from, int n) {
        if (lineTainted) {
            return;
        }
        if (lineLen + n > maxEventBytes) {
            lineTainted = true;
            return;
        }
        if (lineBuf == null || lineLen + n > lineBuf.length) {
            lineBuf = Arrays.copyOf(lineBuf == null ? new byte[0] : lineBuf,
                    Math.min(maxEventBytes, Math.max(lineLen + n, Math.max(256, lineLen * 2))));
        }
        System.arraycopy(a, from, lineBuf, lineLen, n);
        lineLen += n;
    }

    private void appendData(byte[] a, int from, int n) {
        if (eventTainted) {
            return;
        }
        if (dataLen + n > maxEventBytes) {
            eventTainted = true;
            return;
        }
        if (dataBuf == null || dataLen + n > dataBuf.length) {
            dataBuf = Arrays.copyOf(dataBuf == null ? new byte[0] : dataBuf,
                    Math.min(maxEventBytes, Math.max(dataLen + n, Math.max(256, dataLen * 2))));
        }
        System.arraycopy(a, from, dataBuf, dataLen, n);
        dataLen += n;
    }

    private void resetEvent() {
        eventStart = -1;
        eventName = null;
        dataLen = 0;
        hasData = false;
        eventTainted = false;
    }
}
