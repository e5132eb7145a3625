package io.tapflow.protocols;

import java.io.Serializable;
import java.util.Objects;

/**
 * The two decoders of one connection. Most protocols decode each direction on its own; a protocol whose response
 * layout depends on the request it answers (Kafka: the api key and version decide where a response's error code
 * is) shares a bounded per-connection state between the two, created by {@link ProtocolParser#newConnection()}.
 * Feed both in capture order (requests before their responses) for that state to help.
 *
 * <p>Serializable as a pair, so state the two decoders share stays shared after a restore.
 */
public record ConnectionDecoders(StreamDecoder clientToServer, StreamDecoder serverToClient)
        implements Serializable {

    public ConnectionDecoders {
        Objects.requireNonNull(clientToServer, "clientToServer");
        Objects.requireNonNull(serverToClient, "serverToClient");
    }

    public StreamDecoder of(FlowDirection direction) {
        return direction == FlowDirection.CLIENT_TO_SERVER ? clientToServer : serverToClient;
    }
}
