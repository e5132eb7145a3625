package io.tapflow.llm.recognition;

import io.tapflow.protocols.L7Message;
import io.tapflow.schema.ObservationPoint;
import java.io.Serializable;
import java.util.Objects;

/**
 * One HTTP request and what was seen of its response, as the front end of the job (reassembly + HTTP/1 decoding
 * with bodies and stream events kept) hands it over: the input of {@link LlmRequestAnalyzer}.
 *
 * @param request  the decoded request, with its body prefix and the configured headers as attributes
 * @param response the decoded response (possibly truncated), or null when none was seen before the exchange ended
 * @param context  where and how the exchange was observed and how it ended
 */
public record LlmExchange(L7Message request, L7Message response, Context context) implements Serializable {

    public LlmExchange {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(context, "context");
    }

    /** How an exchange ended, as the front end saw it. */
    public enum End {
        /** The response message ended where its framing said (Content-Length, last chunk, close of an HTTP/1.0 body). */
        RESPONSE_ENDED,
        /** The connection closed (or the capture lost bytes) before the response ended: the stream was cut. */
        CUT,
        /** Nothing ended the response within the front end's timeout. */
        TIMEOUT
    }

    /**
     * Where the exchange was captured.
     *
     * @param agentId          agent that captured the socket
     * @param socketId         the collector's socket id of the connection
     * @param requestDataSeq   data_seq of the request's first byte on that socket (with the two above: the request id)
     * @param service          service that served (SERVER_PROCESS) or called (CLIENT_PROCESS) the model
     * @param observationPoint whether captured at the calling or the serving process
     * @param end              how the exchange ended
     * @param endTimestampNs   when it ended: the response's last byte, the close, or the timeout (ns since the epoch)
     */
    public record Context(String agentId, long socketId, long requestDataSeq, String service,
                          ObservationPoint observationPoint, End end, long endTimestampNs) implements Serializable {

        public Context {
            Objects.requireNonNull(agentId, "agentId");
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(observationPoint, "observationPoint");
            Objects.requireNonNull(end, "end");
        }
    }
}
