package io.tapflow.trace.link;

import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.ResponseStatus;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/** Small facts about request logs that several link rules and the assembler ask. */
public final class RequestLogs {

    /** Start time, then log id: the one order every choice among logs uses, so replays choose alike. */
    public static final Comparator<RequestLog> BY_START =
            Comparator.comparingLong(RequestLog::getStartTimeUs).thenComparing(RequestLog::getLogId);

    private static final String MAPPED_PREFIX = "::ffff:";

    private RequestLogs() {
    }

    public static boolean isClient(RequestLog log) {
        return log.getObservationPoint() == ObservationPoint.CLIENT_PROCESS;
    }

    public static boolean isServer(RequestLog log) {
        return log.getObservationPoint() == ObservationPoint.SERVER_PROCESS;
    }

    /** A response was seen: the end time is the last response byte, not a copy of the start. */
    public static boolean hasResponse(RequestLog log) {
        return log.getResponseDurationUs() != null && log.getResponseStatus() != ResponseStatus.TIMEOUT;
    }

    /** A status both ends can only disagree on if they saw different requests (UNKNOWN and TIMEOUT say nothing). */
    public static boolean definiteStatus(ResponseStatus status) {
        return status == ResponseStatus.OK || status == ResponseStatus.CLIENT_ERROR
                || status == ResponseStatus.SERVER_ERROR;
    }

    /**
     * Whether two ends report the same connection: equal client and server ports, and addresses equal as the wire
     * carries them. A dual-stack socket (Java's default, for one) reports an IPv4 peer as an IPv4-mapped IPv6
     * address ({@code ::ffff:10.0.0.1}) where the other end's IPv4 socket reports {@code 10.0.0.1}.
     */
    public static boolean sameConnection(RequestLog a, RequestLog b) {
        return a.getClientPort() == b.getClientPort() && a.getServerPort() == b.getServerPort()
                && wireAddress(a.getClientIp()).equals(wireAddress(b.getClientIp()))
                && wireAddress(a.getServerIp()).equals(wireAddress(b.getServerIp()));
    }

    /** {@code ip} as the wire carries it: an IPv4-mapped IPv6 address as its IPv4 form, anything else as it is. */
    static String wireAddress(String ip) {
        if (ip.length() > MAPPED_PREFIX.length() && ip.regionMatches(true, 0, MAPPED_PREFIX, 0, MAPPED_PREFIX.length())
                && ip.indexOf('.', MAPPED_PREFIX.length()) > 0) {
            return ip.substring(MAPPED_PREFIX.length());
        }
        return ip;
    }

    /**
     * The candidate that encloses {@code child} most tightly: the latest start among {@code candidates} that pass
     * {@code accept}, ties broken by log id.
     */
    public static RequestLog latestStarting(List<RequestLog> candidates, Predicate<RequestLog> accept) {
        RequestLog best = null;
        for (RequestLog c : candidates) {
            if (accept.test(c) && (best == null || BY_START.compare(c, best) > 0)) {
                best = c;
            }
        }
        return best;
    }
}
