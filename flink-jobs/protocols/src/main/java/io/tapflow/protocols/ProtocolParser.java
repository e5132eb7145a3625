package io.tapflow.protocols;

import io.tapflow.schema.L7Protocol;

/**
 * One application protocol: cheap detection and a factory of stream decoders. Implementations are stateless and
 * shared by all flows; per-connection state lives in the decoders.
 */
public interface ProtocolParser {

    /** Confidence that a payload is not this protocol. */
    int NO = 0;
    /** Plausible, but other protocols could look the same (e.g. a bare length prefix). */
    int LOW = 30;
    /** Typical for the protocol (e.g. a known command word). */
    int MEDIUM = 60;
    /** Only this protocol looks like this (e.g. "HTTP/1.1" request line, the HTTP/2 preface). */
    int HIGH = 90;

    /** The protocol this parser decodes (a parser may emit a refinement, e.g. HTTP2 → GRPC). */
    L7Protocol protocol();

    /**
     * How confident, from {@link #NO} to 100, that {@code payload[offset, offset+length)} — the first captured
     * bytes of a segment — begins a message of this protocol travelling in {@code direction}. Must not allocate
     * and must not read outside the range.
     */
    int matches(byte[] payload, int offset, int length, FlowDirection direction);

    /** A fresh decoder for one direction of one connection. */
    StreamDecoder newDecoder(FlowDirection direction);

    /**
     * Fresh decoders for both directions of one connection. Callers that see both directions (the flow job, the
     * tests) use this; parsers whose responses can only be read knowing the request override it.
     */
    default ConnectionDecoders newConnection() {
        return new ConnectionDecoders(newDecoder(FlowDirection.CLIENT_TO_SERVER),
                newDecoder(FlowDirection.SERVER_TO_CLIENT));
    }
}
