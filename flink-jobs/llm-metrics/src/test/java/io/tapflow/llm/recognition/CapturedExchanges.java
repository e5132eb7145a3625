package io.tapflow.llm.recognition;

import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.ParserOptions;
import io.tapflow.protocols.http1.Http1Parser;
import io.tapflow.protocols.testing.Capture;
import io.tapflow.protocols.testing.Goldens;
import io.tapflow.protocols.testing.Capture.Connection;
import io.tapflow.protocols.testing.Capture.DirectedSegment;
import io.tapflow.protocols.testing.Decoding;
import io.tapflow.schema.ObservationPoint;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * LLM exchanges of the real golden captures of the protocols test-jar (recorded from curl against a real streaming
 * server, see protocols/captures/http1.sh): the HTTP/1 parser with bodies and events kept, requests and responses
 * paired in order as the job's front end pairs them, seen from the server's socket.
 */
public final class CapturedExchanges {

    static final String AGENT = "agent-1";
    static final long SOCKET = 77;
    static final String SERVICE = "llm-server";
    /** Bodies and events kept, and the headers {@link TenantResolver} reads, as the job configures the parser. */
    static final ParserOptions OPTIONS = new ParserOptions(256 * 1024, 64 * 1024, 4096,
            List.of("x-tenant", "authorization", "x-api-key"), "x-request-id");

    private CapturedExchanges() {
    }

    /** A golden capture shipped in the protocols test-jar, e.g. {@code "http1/07-sse"}. */
    static Capture golden(String name) {
        return Goldens.capture(name);
    }

    /** The exchanges of a capture's first connection, every response having ended normally. */
    public static List<LlmExchange> exchanges(String golden) {
        return exchanges(golden(golden).connections().get(0).segments(), LlmExchange.End.RESPONSE_ENDED);
    }

    /** Requests and responses decoded from {@code segments} and paired in order; {@code end} for every exchange. */
    static List<LlmExchange> exchanges(List<DirectedSegment> segments, LlmExchange.End end) {
        Deque<L7Message> requests = new ArrayDeque<>();
        List<LlmExchange> out = new ArrayList<>();
        long dataSeq = 0;
        for (Decoding.Output o : Decoding.run(new Http1Parser(OPTIONS), segments)) {
            if (!(o instanceof Decoding.Emitted e)) {
                continue;
            }
            if (e.direction() == FlowDirection.CLIENT_TO_SERVER) {
                requests.add(e.message());
            } else if (!requests.isEmpty()) {
                L7Message request = requests.poll();
                out.add(new LlmExchange(request, e.message(), context(dataSeq, end, e.message().endTimestampNs())));
                dataSeq += Math.max(0, request.length());
            }
        }
        for (L7Message unanswered : requests) {
            out.add(new LlmExchange(unanswered, null, context(dataSeq, end, unanswered.endTimestampNs())));
        }
        return out;
    }

    static LlmExchange.Context context(long dataSeq, LlmExchange.End end, long endNs) {
        return new LlmExchange.Context(AGENT, SOCKET, dataSeq, SERVICE, ObservationPoint.SERVER_PROCESS, end, endNs);
    }

    static Connection connection(String golden) {
        return golden(golden).connections().get(0);
    }
}
