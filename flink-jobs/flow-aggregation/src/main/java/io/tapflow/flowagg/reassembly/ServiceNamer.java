package io.tapflow.flowagg.reassembly;

import java.util.Map;

/**
 * Service identity of the two ends of a flow. The observed process is named by configuration (its process name
 * mapped to a service), else its container, else its process name — never a bare pid. The peer is known only when
 * configured by "ip:port" (servers) or, for now, not at all: a process on another host is named by the agent there.
 */
final class ServiceNamer {

    private final Map<String, String> configured;

    ServiceNamer(Map<String, String> configured) {
        this.configured = configured;
    }

    String observed(String comm, String containerId) {
        String byName = comm == null ? null : configured.get(comm);
        if (byName != null) {
            return byName;
        }
        if (containerId != null && !containerId.isEmpty()) {
            return containerId.length() > 12 ? containerId.substring(0, 12) : containerId;
        }
        return comm;
    }

    String peerServer(String ip, int port) {
        return configured.get(ip + ":" + port);
    }
}
