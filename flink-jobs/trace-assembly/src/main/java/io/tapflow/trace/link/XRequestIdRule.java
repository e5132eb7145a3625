package io.tapflow.trace.link;

import io.tapflow.schema.LinkRule;
import io.tapflow.schema.RequestLog;
import java.util.List;

/**
 * Equal X-Request-ID header values: a proxy that stamps an id on the request it forwards (nginx, envoy) links its
 * inbound span, its outbound span and the upstream's span even where tcp_seq cannot (TLS captures, NAT). The id is
 * only a correlation: the parent is the span of the opposite kind that encloses the child most tightly — for a
 * client span a server span of the same agent (the proxy serving it), for a server span a client span of any agent
 * (its caller), within the clock tolerance.
 *
 * <p>Guards: placeholder values ({@code "-"}, blanks, shorter than {@value #MIN_LENGTH} chars) are ignored, since a
 * constant would merge unrelated requests; the two spans must overlap in time within the tolerance.
 */
public final class XRequestIdRule implements SpanLinkRule {

    private static final long serialVersionUID = 1L;

    static final String PREFIX = "xrid:";
    static final int MIN_LENGTH = 8;

    private final long toleranceUs;

    /** @param toleranceUs largest clock difference between two agents that still links their spans */
    public XRequestIdRule(long toleranceUs) {
        if (toleranceUs < 0) {
            throw new IllegalArgumentException("toleranceUs must not be negative: " + toleranceUs);
        }
        this.toleranceUs = toleranceUs;
    }

    @Override
    public LinkRule rule() {
        return LinkRule.X_REQUEST_ID;
    }

    @Override
    public List<String> linkKeys(RequestLog log) {
        String id = usable(log.getXRequestId());
        return id == null ? List.of() : List.of(PREFIX + id);
    }

    @Override
    public boolean links(RequestLog a, RequestLog b) {
        String id = usable(a.getXRequestId());
        return id != null && !a.getLogId().equals(b.getLogId()) && id.equals(usable(b.getXRequestId()))
                && a.getStartTimeUs() <= b.getEndTimeUs() + toleranceUs
                && b.getStartTimeUs() <= a.getEndTimeUs() + toleranceUs;
    }

    @Override
    public RequestLog parent(RequestLog child, List<RequestLog> trace) {
        if (RequestLogs.isClient(child)) {
            return RequestLogs.latestStarting(trace, c -> RequestLogs.isServer(c)
                    && c.getAgentId().equals(child.getAgentId()) && links(c, child) && encloses(c, child, 0));
        }
        if (RequestLogs.isServer(child)) {
            // one agent has one clock: there the caller must really start first (a later client span of the same
            // agent is the child's own outbound call); across agents the clocks may differ by the tolerance
            return RequestLogs.latestStarting(trace, c -> RequestLogs.isClient(c) && links(c, child)
                    && encloses(c, child, c.getAgentId().equals(child.getAgentId()) ? 0 : toleranceUs));
        }
        return null;
    }

    private static boolean encloses(RequestLog outer, RequestLog inner, long slackUs) {
        return outer.getStartTimeUs() <= inner.getStartTimeUs() + slackUs
                && (!RequestLogs.hasResponse(outer) || inner.getStartTimeUs() <= outer.getEndTimeUs() + slackUs);
    }

    private static String usable(String id) {
        if (id == null) {
            return null;
        }
        String trimmed = id.trim();
        return trimmed.length() < MIN_LENGTH ? null : trimmed;
    }
}
