package io.tapflow.protocols;

import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.ResponseStatus;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One application-level request or response decoded from one direction of a connection. Field meanings follow
 * the request log (DeepFlow l7_flow_log): the flow stage pairs a request with its response by
 * {@link #pairId()} (or in order when it is {@link #IN_ORDER}) and builds a RequestLog from the pair.
 *
 * <p>Immutable; build with {@link #builder(L7Protocol, MessageKind)}. A decoder may leave some text fields as
 * {@link DeferredText} (bytes decoded on first read); the accessors return the same values either way, and
 * equals and hashCode compare those values.
 */
public final class L7Message implements Serializable {

    /** {@link #pairId()} of protocols whose responses come in request order (HTTP/1.1, Redis, PostgreSQL…). */
    public static final long IN_ORDER = -1;
    /**
     * Longest domain, resource and exception text kept (chars), as the request log documents: a URL or SQL text can
     * be megabytes, and downstream state and rows must stay small.
     */
    public static final int MAX_TEXT = 256;
    /** {@link #length()} when the message's size is not known (e.g. an HTTP/1.0 body ended by close). */
    public static final long UNKNOWN_LENGTH = -1;

    private final L7Protocol protocol;
    private final MessageKind kind;
    private final String version;
    private final String requestType;
    private final String requestDomain;
    private final String requestResource;
    private final long pairId;
    private final Integer responseCode;
    private final ResponseStatus responseStatus;
    private final String responseException;
    private final long length;
    private final boolean truncated;
    private final long startTimestampNs;
    private final long endTimestampNs;
    private final long startTcpSeq;
    private final long threadTraceId;
    private final TraceContext traceContext;
    private final String xRequestId;
    private final byte[] body;
    private final List<StreamEvent> events;
    private final boolean eventsTruncated;
    private final Map<String, String> attributes;
    /** Resource, exception, request id and trace context not decoded yet (each used when its field is null). */
    private final DeferredText deferred;

    private L7Message(Builder b) {
        this.protocol = b.protocol;
        this.kind = b.kind;
        this.version = b.version;
        this.requestType = b.requestType;
        this.requestDomain = b.requestDomain;
        this.requestResource = b.requestResource;
        this.pairId = b.pairId;
        this.responseCode = b.responseCode;
        this.responseStatus = b.responseStatus;
        this.responseException = b.responseException;
        this.length = b.length;
        this.truncated = b.truncated;
        this.startTimestampNs = b.startTimestampNs;
        this.endTimestampNs = b.endTimestampNs;
        this.startTcpSeq = b.startTcpSeq;
        this.threadTraceId = b.threadTraceId;
        this.traceContext = b.traceContext;
        this.xRequestId = b.xRequestId;
        this.body = b.body;
        this.events = b.events == null ? List.of() : List.copyOf(b.events);
        this.eventsTruncated = b.eventsTruncated;
        this.deferred = b.deferred;
        // the builder's map is handed over rather than copied (a copy per message showed in the HTTP/1 profile);
        // the builder copies it before any later change, so the message still never sees one. A single attribute
        // (the common case) needs no map at all until the message is built.
        if (b.attributes != null) {
            this.attributes = Collections.unmodifiableMap(b.attributes);
            b.attributesShared = true;
        } else if (b.hasFirst) {
            this.attributes = Collections.singletonMap(b.firstKey, b.firstValue);
        } else {
            this.attributes = Map.of();
        }
    }

    public static Builder builder(L7Protocol protocol, MessageKind kind) {
        return new Builder(protocol, kind);
    }

    /** The protocol; a parser may refine its own (HTTP2 → GRPC when the content type says so). */
    public L7Protocol protocol() {
        return protocol;
    }

    public MessageKind kind() {
        return kind;
    }

    /** Protocol version as spoken on the wire (e.g. "1.1", "2", "5" for MQTT 5), or null. */
    public String version() {
        return version;
    }

    /** Method, command, opcode or API name (GET, SET, COM_QUERY, Produce, PUBLISH…); requests, or null. */
    public String requestType() {
        return requestType;
    }

    /** Host, authority, database or broker the request addresses, or null. */
    public String requestDomain() {
        return requestDomain;
    }

    /** Path, key, SQL text, DNS name or topic, as sent (not normalised), or null. */
    public String requestResource() {
        return requestResource != null || deferred == null ? requestResource : deferred.requestResource();
    }

    /** Id that pairs request and response (HTTP/2 stream id, DNS id, Kafka correlation id…) or {@link #IN_ORDER}. */
    public long pairId() {
        return pairId;
    }

    /** Numeric status (HTTP status, grpc-status, DNS rcode, SQL error code…) or null. Responses only. */
    public Integer responseCode() {
        return responseCode;
    }

    /** Outcome class of a response; UNKNOWN for requests and for protocols that carry none. */
    public ResponseStatus responseStatus() {
        return responseStatus;
    }

    /** Error text the response carried (Redis error, SQL error message, grpc-message…) or null. */
    public String responseException() {
        return responseException != null || deferred == null ? responseException : deferred.responseException();
    }

    /** Total bytes of the message on the wire (headers and body), or {@link #UNKNOWN_LENGTH}. */
    public long length() {
        return length;
    }

    /** True when some of the message's bytes were not captured (skipped by their declared length). */
    public boolean truncated() {
        return truncated;
    }

    /** Time of the call that carried the message's first byte, ns since the epoch. */
    public long startTimestampNs() {
        return startTimestampNs;
    }

    /** Time of the call that carried the message's last byte, ns since the epoch. */
    public long endTimestampNs() {
        return endTimestampNs;
    }

    /** TCP sequence number of the message's first byte, or {@link Segment#NO_TCP_SEQ}. */
    public long startTcpSeq() {
        return startTcpSeq;
    }

    /** Thread trace id of the call that carried the message's first byte (0 = none). */
    public long threadTraceId() {
        return threadTraceId;
    }

    /** Trace ids propagated in the message's headers, or null. */
    public TraceContext traceContext() {
        return traceContext != null || deferred == null ? traceContext : deferred.traceContext();
    }

    /** Value of an X-Request-ID header (or the configured equivalent), or null. */
    public String xRequestId() {
        return xRequestId != null || deferred == null ? xRequestId : deferred.xRequestId();
    }

    /**
     * The first bytes of the (de-chunked) body, at most {@link ParserOptions#maxBodyBytes()}; empty when bodies
     * are not kept. Consumers that need a body (the LLM job reads "model" and "usage") configure that size.
     */
    public byte[] body() {
        return body == null ? new byte[0] : body.clone();
    }

    /** SSE events or NDJSON lines of a streamed body, in order, at most {@link ParserOptions#maxEvents()}. */
    public List<StreamEvent> events() {
        return events;
    }

    /** True when the body had more events than were kept. */
    public boolean eventsTruncated() {
        return eventsTruncated;
    }

    /** Protocol-specific extras (content-type, grpc-message, affected rows, configured headers…). */
    public Map<String, String> attributes() {
        return attributes;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof L7Message m)) {
            return false;
        }
        return pairId == m.pairId && length == m.length && truncated == m.truncated
                && startTimestampNs == m.startTimestampNs && endTimestampNs == m.endTimestampNs
                && startTcpSeq == m.startTcpSeq && threadTraceId == m.threadTraceId
                && eventsTruncated == m.eventsTruncated && protocol == m.protocol && kind == m.kind
                && Objects.equals(version, m.version) && Objects.equals(requestType, m.requestType)
                && Objects.equals(requestDomain, m.requestDomain)
                && Objects.equals(requestResource(), m.requestResource())
                && Objects.equals(responseCode, m.responseCode) && responseStatus == m.responseStatus
                && Objects.equals(responseException(), m.responseException())
                && Objects.equals(traceContext(), m.traceContext()) && Objects.equals(xRequestId(), m.xRequestId())
                && Arrays.equals(body, m.body) && events.equals(m.events) && attributes.equals(m.attributes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(protocol, kind, requestType, requestResource(), pairId, responseCode, startTimestampNs);
    }

    @Override
    public String toString() {
        return kind + " " + protocol + (requestType == null ? "" : " " + requestType)
                + (requestResource() == null ? "" : " " + requestResource())
                + (responseCode == null ? "" : " code=" + responseCode)
                + (pairId == IN_ORDER ? "" : " pair=" + pairId) + " len=" + length;
    }

    /** {@code v} cut to {@link #MAX_TEXT} chars (not inside a surrogate pair). */
    static String cap(String v) {
        if (v == null || v.length() <= MAX_TEXT) {
            return v;
        }
        int cut = Character.isHighSurrogate(v.charAt(MAX_TEXT - 1)) ? MAX_TEXT - 1 : MAX_TEXT;
        return v.substring(0, cut);
    }

    /** Builder of {@link L7Message}; parsers set what their protocol carries and leave the rest. */
    public static final class Builder implements Serializable {
        private final L7Protocol protocol;
        private final MessageKind kind;
        private String version;
        private String requestType;
        private String requestDomain;
        private String requestResource;
        private long pairId = IN_ORDER;
        private Integer responseCode;
        private ResponseStatus responseStatus = ResponseStatus.UNKNOWN;
        private String responseException;
        private long length = UNKNOWN_LENGTH;
        private boolean truncated;
        private long startTimestampNs;
        private long endTimestampNs;
        private long startTcpSeq = Segment.NO_TCP_SEQ;
        private long threadTraceId;
        private TraceContext traceContext;
        private String xRequestId;
        private byte[] body;
        private List<StreamEvent> events;
        private boolean eventsTruncated;
        private Map<String, String> attributes;
        /** True once a built message holds {@link #attributes}: copy before writing. */
        private boolean attributesShared;
        /** The only attribute while there is one ({@link #attributes} is null then). */
        private boolean hasFirst;
        private String firstKey;
        private String firstValue;
        private DeferredText deferred;

        private Builder(L7Protocol protocol, MessageKind kind) {
            this.protocol = Objects.requireNonNull(protocol, "protocol");
            this.kind = Objects.requireNonNull(kind, "kind");
        }

        public Builder version(String v) {
            this.version = v;
            return this;
        }

        public Builder requestType(String v) {
            this.requestType = v;
            return this;
        }

        public Builder requestDomain(String v) {
            this.requestDomain = cap(v);
            return this;
        }

        public Builder requestResource(String v) {
            this.requestResource = cap(v);
            return this;
        }

        public Builder pairId(long v) {
            this.pairId = v;
            return this;
        }

        public Builder responseCode(Integer v) {
            this.responseCode = v;
            return this;
        }

        public Builder responseStatus(ResponseStatus v) {
            this.responseStatus = Objects.requireNonNull(v, "responseStatus");
            return this;
        }

        public Builder responseException(String v) {
            this.responseException = cap(v);
            return this;
        }

        public Builder length(long v) {
            this.length = v;
            return this;
        }

        public Builder truncated(boolean v) {
            this.truncated = v;
            return this;
        }

        /** Start time, sequence number and thread trace id of the message's first byte. */
        public Builder start(StreamBuffer.Origin origin) {
            this.startTimestampNs = origin.timestampNs();
            this.startTcpSeq = origin.tcpSeq();
            this.threadTraceId = origin.threadTraceId();
            return this;
        }

        public Builder startTimestampNs(long v) {
            this.startTimestampNs = v;
            return this;
        }

        public Builder endTimestampNs(long v) {
            this.endTimestampNs = v;
            return this;
        }

        public Builder startTcpSeq(long v) {
            this.startTcpSeq = v;
            return this;
        }

        public Builder threadTraceId(long v) {
            this.threadTraceId = v;
            return this;
        }

        public Builder traceContext(TraceContext v) {
            this.traceContext = v;
            return this;
        }

        public Builder xRequestId(String v) {
            this.xRequestId = v;
            return this;
        }

        /** The kept prefix of the body; the array is owned by the message from now on. */
        public Builder body(byte[] v) {
            this.body = v;
            return this;
        }

        /**
         * Text fields left as bytes (see {@link DeferredText}); a field also set here directly is read from that
         * value instead.
         */
        public Builder deferred(DeferredText v) {
            this.deferred = v;
            return this;
        }

        public Builder events(List<StreamEvent> v, boolean truncated) {
            this.events = v;
            this.eventsTruncated = truncated;
            return this;
        }

        public Builder attribute(String key, String value) {
            if (value != null) {
                if (attributes == null) {
                    if (!hasFirst || Objects.equals(firstKey, key)) {
                        hasFirst = true;
                        firstKey = key;
                        firstValue = value;
                        return this;
                    }
                    attributes = new LinkedHashMap<>();
                    attributes.put(firstKey, firstValue);
                    hasFirst = false;
                    firstKey = null;
                    firstValue = null;
                } else if (attributesShared) {
                    attributes = new LinkedHashMap<>(attributes);
                }
                attributesShared = false;
                attributes.put(key, value);
            }
            return this;
        }

        public L7Message build() {
            return new L7Message(this);
        }

        /**
         * Clears every field but the protocol and kind, so that a decoder can build message after message with one
         * builder (a builder per message showed in the HTTP/1 profile). Messages built before are unaffected: they
         * copied the fields, and the attributes map one of them holds is never written again.
         */
        public Builder reset() {
            version = null;
            requestType = null;
            requestDomain = null;
            requestResource = null;
            pairId = IN_ORDER;
            responseCode = null;
            responseStatus = ResponseStatus.UNKNOWN;
            responseException = null;
            length = UNKNOWN_LENGTH;
            truncated = false;
            startTimestampNs = 0;
            endTimestampNs = 0;
            startTcpSeq = Segment.NO_TCP_SEQ;
            threadTraceId = 0;
            traceContext = null;
            xRequestId = null;
            body = null;
            events = null;
            eventsTruncated = false;
            attributes = null;
            attributesShared = false;
            hasFirst = false;
            firstKey = null;
            firstValue = null;
            deferred = null;
            return this;
        }
    }
}
