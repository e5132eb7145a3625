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
