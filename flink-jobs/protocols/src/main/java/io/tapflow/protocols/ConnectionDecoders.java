package io.tapflow.protocols;

import java.util.Objects;

/**
 * The two decoders of one connection. Most protocols decode each direction on its own; a protocol whose response
 * layout depends on the request it answers (Kafka: the api key and version decide where a response's error code
 * is) shares a bounded per-connection state between the two, created by {@link ProtocolParser#newConnection()}.
 * Feed both in capture order (requests before their responses) for that state to help.
 */
public record ConnectionDecoders(StreamDecoder clientToServer, StreamDecoder serverToClient) {

    public ConnectionDecoders {
        Objects.requireNonNull(clientToServer, "clientToServer");
        Objects.requireNonNull(serverToClient, "serverToClient");
    }

    public StreamDecoder of(FlowDirection direction) {
        return direction == FlowDirection.CLIENT_TO_SERVER ? clientToServer : serverToClient;
    }
}
