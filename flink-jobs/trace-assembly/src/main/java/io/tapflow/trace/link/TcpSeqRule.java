package io.tapflow.trace.link;

import io.tapflow.schema.LinkRule;
import io.tapflow.schema.RequestLog;
import java.util.List;
import java.util.Objects;

/**
 * Equal request tcp_seq seen at both ends of one connection: the CLIENT_PROCESS span and the SERVER_PROCESS span of
 * the same request, usually captured by different agents (both ends of a loopback connection on one agent count
 * too: the observation points differ). Parent = the client span.
 *
 * <p>A 32-bit sequence number repeats across the connections of a busy cluster, so equality alone is a weak key.
 * Conflicts reject the pair: different protocol, resource, definite status or response code, different response
 * tcp_seq, a different 4-tuple (unless {@code requireSameAddresses} is off for NATed paths, where the two ends see
 * different addresses) and times that do not nest within the clock tolerance between the two hosts (the server
 * must read the request after the client wrote it, and answer before the client read the answer).
 */
public final class TcpSeqRule implements SpanLinkRule {

    private static final long serialVersionUID = 1L;

    static final String PREFIX = "tcp:";

    private final long toleranceUs;
    private final boolean requireSameAddresses;

    /**
     * @param toleranceUs largest clock difference between two agents that still links their spans
     * @param requireSameAddresses whether both ends must report the same client and server ip:port
     */
    public TcpSeqRule(long toleranceUs, boolean requireSameAddresses) {
        if (toleranceUs < 0) {
            throw new IllegalArgumentException("toleranceUs must not be negative: " + toleranceUs);
        }
        this.toleranceUs = toleranceUs;
        this.requireSameAddresses = requireSameAddresses;
    }

    @Override
    public LinkRule rule() {
        return LinkRule.TCP_SEQ;
    }

    @Override
    public List<String> linkKeys(RequestLog log) {
        Long seq = log.getReqTcpSeq();
        if (seq == null || !(RequestLogs.isClient(log) || RequestLogs.isServer(log))) {
            return List.of();
        }
        return List.of(PREFIX + seq);
    }

    @Override
    public boolean links(RequestLog a, RequestLog b) {
        if (RequestLogs.isClient(a) && RequestLogs.isServer(b)) {
            return sameRequest(a, b);
        }
        if (RequestLogs.isClient(b) && RequestLogs.isServer(a)) {
            return sameRequest(b, a);
        }
        return false;
    }

    @Override
    public RequestLog parent(RequestLog child, List<RequestLog> trace) {
        if (!RequestLogs.isServer(child)) {
            return null;
        }
        // the earliest matching client: a retransmitted request reuses the seq, the first send is the call
        RequestLog best = null;
        for (RequestLog c : trace) {
            if (RequestLogs.isClient(c) && sameRequest(c, child)
                    && (best == null || RequestLogs.BY_START.compare(c, best) < 0)) {
                best = c;
            }
        }
        return best;
    }

    private boolean sameRequest(RequestLog client, RequestLog server) {
        if (client.getReqTcpSeq() == null || !client.getReqTcpSeq().equals(server.getReqTcpSeq())) {
            return false;
        }
        if (client.getL7Protocol() != server.getL7Protocol()) {
            return false;
        }
        if (conflicts(client.getRequestResource(), server.getRequestResource())
                || conflicts(client.getResponseCode(), server.getResponseCode())
                || conflicts(client.getRespTcpSeq(), server.getRespTcpSeq())) {
            return false;
        }
        if (RequestLogs.definiteStatus(client.getResponseStatus())
                && RequestLogs.definiteStatus(server.getResponseStatus())
                && client.getResponseStatus() != server.getResponseStatus()) {
            return false;
        }
        if (requireSameAddresses && !RequestLogs.sameConnection(client, server)) {
            return false;
        }
        return nests(client, server);
    }

    private boolean nests(RequestLog client, RequestLog server) {
        if (server.getStartTimeUs() < client.getStartTimeUs() - toleranceUs) {
            return false;
        }
        if (server.getStartTimeUs() > client.getEndTimeUs() + toleranceUs
                && RequestLogs.hasResponse(client)) {
            return false;
        }
        if (!RequestLogs.hasResponse(client)) {
            // a client that timed out has no end; the server must still have read the request near its send
            return server.getStartTimeUs() <= client.getStartTimeUs() + toleranceUs;
        }
        return !RequestLogs.hasResponse(server) || server.getEndTimeUs() <= client.getEndTimeUs() + toleranceUs;
    }

    private static boolean conflicts(Object a, Object b) {
        return a != null && b != null && !Objects.equals(a, b);
    }
}
