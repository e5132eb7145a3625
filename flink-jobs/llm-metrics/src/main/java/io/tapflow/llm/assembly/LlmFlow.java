package io.tapflow.llm.assembly;

import io.tapflow.flink.flow.SegmentOrdering;
import io.tapflow.protocols.ConnectionDecoders;
import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.L7Message;
import io.tapflow.schema.Direction;
import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.Role;
import io.tapflow.schema.SocketDataEvent;
import java.io.Serializable;
import java.util.ArrayDeque;

/**
 * Keyed state of one connection that carries (or may carry) LLM traffic: the per-direction ordering, the HTTP/1
 * decoders with bodies and events kept, and the requests waiting for their responses. Lives from the connection's
 * first event until its close (plus grace), a loss, a timeout or its idle eviction.
 */
final class LlmFlow implements Serializable {

    private static final long serialVersionUID = 1L;

    /** A decoded (redacted) request waiting for its response, and the data_seq of its first byte. */
    record Pending(L7Message request, long dataSeq) implements Serializable {
    }

    final String agentId;
    final long socketId;
    String service;
    Role role;
    /** Ordering per socket direction (index 0 = INGRESS, 1 = EGRESS). */
    final SegmentOrdering[] ordering = {new SegmentOrdering(), new SegmentOrdering()};
    ConnectionDecoders decoders;
    /** The first request is on an LLM route (decided from its request line or, failing that, the decoded request). */
    boolean recognized;
    /** The first request line was looked at (only once: later requests of an LLM flow are kept whatever they are). */
    boolean peeked;
    final ArrayDeque<Pending> pending = new ArrayDeque<>(2);
    long closeNs = -1;
    /** Event-time clock of the flow: its newest event, or the watermark when it was late. */
    long clockNs;
    long lastEventNs;
    /** The one event-time timer registered for this flow (ms), or -1. */
    long timerMs = -1;

    LlmFlow(String agentId, long socketId, String service, Role role, long firstNs) {
        this.agentId = agentId;
        this.socketId = socketId;
        this.service = service;
        this.role = role;
        this.clockNs = firstNs;
        this.lastEventNs = firstNs;
    }

    static int index(Direction direction) {
        return direction == Direction.EGRESS ? 1 : 0;
    }

    boolean closing() {
        return closeNs >= 0;
    }

    FlowDirection flowDirection(Direction direction) {
        boolean egress = direction == Direction.EGRESS;
        boolean client = role == Role.CLIENT;
        return egress == client ? FlowDirection.CLIENT_TO_SERVER : FlowDirection.SERVER_TO_CLIENT;
    }

    ObservationPoint observationPoint() {
        return role == Role.CLIENT ? ObservationPoint.CLIENT_PROCESS : ObservationPoint.SERVER_PROCESS;
    }

    /** Learns the local process from a data event when the first event (a TCP event) did not name it. */
    void learn(SocketDataEvent e) {
        if ((service == null || service.isEmpty()) && e.getComm() != null) {
            service = e.getComm().toString();
        }
        if (role == Role.UNKNOWN && e.getRole() != null && e.getRole() != Role.UNKNOWN) {
            role = e.getRole();
        }
    }
}
