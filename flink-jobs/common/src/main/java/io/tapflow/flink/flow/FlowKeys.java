package io.tapflow.flink.flow;

import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * The key of a flow: agent and socket id. Socket cookies are unique per host boot only, so the agent is part of
 * the key; data and TCP events of one socket meet under the same key.
 */
public final class FlowKeys {

    private FlowKeys() {
    }

    public static String of(CharSequence agentId, long socketId) {
        return agentId + "/" + Long.toUnsignedString(socketId);
    }

    public static KeySelector<SocketDataEvent, String> data() {
        return e -> of(e.getAgentId(), e.getSocketId());
    }

    public static KeySelector<TcpEvent, String> tcp() {
        return e -> of(e.getAgentId(), e.getSocketId());
    }
}
