package io.tapflow.protocols.testing;

import io.tapflow.protocols.DecodeError;
import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.Segment;
import io.tapflow.protocols.StreamEvent;
import io.tapflow.protocols.TraceContext;
import io.tapflow.protocols.testing.Capture.Connection;
import io.tapflow.protocols.testing.Decoding.Emitted;
import io.tapflow.protocols.testing.Decoding.Failed;
import io.tapflow.protocols.testing.Decoding.Output;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The text form of decoded output that golden {@code .expected} files hold: one line per message or error, with
 * times relative to the capture start (µs) and TCP sequence numbers relative to each direction's first byte, so a
 * reviewer can check them against what the client did.
 */
public final class GoldenRenderer {

    private static final int MAX_TEXT = 160;

    private GoldenRenderer() {
    }

    public static String connectionHeader(Connection c) {
        return "# connection " + c.index() + " " + c.describe() + "\n";
    }

    public static String render(Capture capture, Connection c, List<Output> outputs) {
        StringBuilder sb = new StringBuilder(connectionHeader(c));
        for (Output o : outputs) {
            String dir = o.direction() == FlowDirection.CLIENT_TO_SERVER ? "C>S" : "S>C";
            if (o instanceof Emitted e) {
                message(sb, dir, e.message(), capture.startNs(), c.seqBase()[o.direction().ordinal()]);
            } else if (o instanceof Failed f) {
                DecodeError err = f.error();
                sb.append(dir).append(" ! ").append(err.kind()).append(" @").append(err.position()).append(' ')
                        .append(text(err.detail())).append('\n');
            }
        }
        return sb.toString();
    }

    private static void message(StringBuilder sb, String dir, L7Message m, long startNs, long seqBase) {
        sb.append(dir).append(' ').append(m.kind()).append(' ').append(m.protocol().name().toLowerCase(Locale.ROOT));
        field(sb, "version", m.version());
        field(sb, "type", m.requestType());
        field(sb, "domain", m.requestDomain());
        field(sb, "resource", m.requestResource());
        if (m.pairId() != L7Message.IN_ORDER) {
            sb.append(" pair=").append(m.pairId());
        }
        if (m.responseCode() != null) {
            sb.append(" code=").append(m.responseCode());
        }
        sb.append(" status=").append(m.responseStatus());
        field(sb, "exception", m.responseException());
        sb.append(" len=").append(m.length());
        if (m.truncated()) {
            sb.append(" truncated");
        }
        sb.append(" t=+").append((m.startTimestampNs() - startNs) / 1000).append("us");
        sb.append("..+").append((m.endTimestampNs() - startNs) / 1000).append("us");
        if (m.startTcpSeq() != Segment.NO_TCP_SEQ && seqBase >= 0) {
            sb.append(" seq=+").append((m.startTcpSeq() - seqBase) & 0xFFFF_FFFFL);
        }
        TraceContext tc = m.traceContext();
        if (tc != null) {
            sb.append(" trace=").append(tc.format()).append(':').append(tc.traceId()).append('/').append(tc.spanId());
            if (tc.parentSpanId() != null) {
                sb.append('/').append(tc.parentSpanId());
            }
        }
        field(sb, "x_request_id", m.xRequestId());
        for (Map.Entry<String, String> a : m.attributes().entrySet()) {
            field(sb, "@" + a.getKey(), a.getValue());
        }
        byte[] body = m.body();
        if (body.length > 0) {
            sb.append(" body[").append(body.length).append("]=")
                    .append(text(new String(body, StandardCharsets.UTF_8)));
        }
        sb.append('\n');
        for (StreamEvent e : m.events()) {
            sb.append("    event off=").append(e.bodyOffset()).append(" t=+").append((e.timestampNs() - startNs) / 1000)
                    .append("us");
            field(sb, "event", e.event());
            field(sb, "data", e.data());
            sb.append('\n');
        }
        if (m.eventsTruncated()) {
            sb.append("    events truncated\n");
        }
    }

    private static void field(StringBuilder sb, String name, String value) {
        if (value != null) {
            sb.append(' ').append(name).append('=').append(text(value));
        }
    }

    /** Quoted when it has spaces; control characters escaped; long values cut with their full length noted. */
    static String text(String s) {
        StringBuilder out = new StringBuilder();
        int n = Math.min(s.length(), MAX_TEXT);
        boolean quote = s.isEmpty();
        for (int i = 0; i < n; i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (ch < 0x20 || ch == 0x7f) {
                        out.append(String.format("\\x%02x", (int) ch));
                    } else {
                        out.append(ch);
                    }
                }
            }
            if (ch == ' ') {
                quote = true;
            }
        }
        if (s.length() > MAX_TEXT) {
            out.append("…(").append(s.length()).append(" chars)");
        }
        return quote ? "\"" + out + "\"" : out.toString();
    }
}
