package io.tapflow.trace.link;

import io.tapflow.schema.LinkRule;
import io.tapflow.schema.RequestLog;
import java.util.List;
import java.util.Objects;

/**
 * Same agent and equal non-zero syscall trace id: a SERVER_PROCESS span and the CLIENT_PROCESS spans its thread
 * issued while serving it (the DeepFlow AutoTracing rule). The collector assigns a thread trace id when a thread
 * reads a request on a server-role socket and carries it on that thread's following writes on client-role sockets,
 * so the server log's {@code syscall_trace_id_request} equals the outbound client logs'. Parent = the server span.
 *
 * <p>Guards against a reused or colliding id: both logs come from one agent (the ids are per-host), the process ids
 * agree when both are known, and the outbound request starts inside the inbound one (after its first byte, and not
 * after its response when one was seen) — the agent's one clock makes this exact, no tolerance needed.
 */
public final class SyscallTraceIdRule implements SpanLinkRule {

    private static final long serialVersionUID = 1L;

    static final String PREFIX = "sys:";

    @Override
    public LinkRule rule() {
        return LinkRule.SYSCALL_TRACE_ID;
    }

    @Override
    public List<String> linkKeys(RequestLog log) {
        long id = log.getSyscallTraceIdRequest();
        if (id == 0 || !(RequestLogs.isClient(log) || RequestLogs.isServer(log))) {
            return List.of();
        }
        return List.of(PREFIX + log.getAgentId() + ":" + Long.toUnsignedString(id));
    }

    @Override
    public boolean links(RequestLog a, RequestLog b) {
        if (RequestLogs.isServer(a) && RequestLogs.isClient(b)) {
            return serves(a, b);
        }
        if (RequestLogs.isServer(b) && RequestLogs.isClient(a)) {
            return serves(b, a);
        }
        return false;
    }

    @Override
    public RequestLog parent(RequestLog child, List<RequestLog> trace) {
        if (!RequestLogs.isClient(child)) {
            return null;
        }
        return RequestLogs.latestStarting(trace, c -> RequestLogs.isServer(c) && serves(c, child));
    }

    private static boolean serves(RequestLog server, RequestLog client) {
        if (server.getSyscallTraceIdRequest() == 0
                || server.getSyscallTraceIdRequest() != client.getSyscallTraceIdRequest()
                || !server.getAgentId().equals(client.getAgentId())) {
            return false;
        }
        if (server.getServerPid() != null && client.getClientPid() != null
                && !Objects.equals(server.getServerPid(), client.getClientPid())) {
            return false;
        }
        if (client.getStartTimeUs() < server.getStartTimeUs()) {
            return false;
        }
        return !RequestLogs.hasResponse(server) || client.getStartTimeUs() <= server.getEndTimeUs();
    }
}
