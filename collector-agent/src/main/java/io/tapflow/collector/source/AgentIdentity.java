package io.tapflow.collector.source;

import java.util.Objects;

/** Who reports the events: the {@code agent_id} and {@code host} fields of every raw record. */
public record AgentIdentity(String agentId, String host) {

    public AgentIdentity {
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(host, "host");
        if (agentId.isBlank()) {
            throw new IllegalArgumentException("agent id must not be blank");
        }
    }
}
