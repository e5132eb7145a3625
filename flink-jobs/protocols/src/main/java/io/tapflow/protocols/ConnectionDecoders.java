package io.tapflow.protocols;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.Objects;

/**
 * The two decoders of one connection. Most protocols decode each direction on its own; a protocol whose response
 * layout depends on the request it answers (Kafka: the api key and version decide where a response's error code
 * is) shares a bounded per-connection state between the two, created by {@link ProtocolParser#newConnection()}.
 * Feed both in capture order (requests before their responses) for that state to help.
 *
 * <p>Serializable as a pair, so state the two decoders share stays shared after a restore. Decoders with a state
 * format of their own ({@link StreamDecoder#stateFormat()}) are written with {@link #writeState} instead; decoders
 * that share state have none.
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

    /** True when both decoders can write their current state in a format of their own. */
    public boolean hasStateFormat() {
        return clientToServer.stateFormat() > 0 && serverToClient.stateFormat() > 0;
    }

    /** Writes both decoders' state, each led by its format version; only when {@link #hasStateFormat()}. */
    public void writeState(DataOutput out) throws IOException {
        for (StreamDecoder d : new StreamDecoder[] {clientToServer, serverToClient}) {
            int format = d.stateFormat();
            if (format <= 0 || format > 255) {
                throw new IllegalStateException(d.getClass().getName() + " has no state format now");
            }
            out.writeByte(format);
            d.writeState(out);
        }
    }

    /** Reads what {@link #writeState} wrote into a new connection of {@code parser}. */
    public static ConnectionDecoders readState(ProtocolParser parser, DataInput in) throws IOException {
        ConnectionDecoders c = parser.newConnection();
        c.clientToServer.readState(in, in.readUnsignedByte());
        c.serverToClient.readState(in, in.readUnsignedByte());
        return c;
    }
}
