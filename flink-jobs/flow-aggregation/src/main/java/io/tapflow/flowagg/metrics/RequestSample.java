package io.tapflow.flowagg.metrics;

import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.ResponseStatus;

/**
 * What the RED and service-map windows read of a request log, taken once before they are keyed: a request log has
 * some forty fields and went, whole, through one network shuffle per metric stage — the largest cost of the
 * reassembler's task after the state fix in {@code ./tapflow bench flow}.
 *
 * @param service            the service the log is measured for ({@link ServiceNames#measuredService})
 * @param endpoint           the endpoint, "" when the log has none
 * @param clientService      the edge's client ({@link ServiceNames#clientService})
 * @param serverService      the edge's server ({@link ServiceNames#serverService})
 * @param startTimeUs        when the request started: the window it counts in
 * @param responseDurationUs null when the request had no answer
 */
public record RequestSample(String service, String endpoint, String clientService, String serverService,
        L7Protocol l7Protocol, ObservationPoint observationPoint, ResponseStatus responseStatus, long startTimeUs,
        Long responseDurationUs) {

    public static RequestSample of(RequestLog log) {
        return new RequestSample(ServiceNames.measuredService(log),
                log.getEndpoint() == null ? "" : log.getEndpoint(), ServiceNames.clientService(log),
                ServiceNames.serverService(log), log.getL7Protocol(), log.getObservationPoint(),
                log.getResponseStatus(), log.getStartTimeUs(), log.getResponseDurationUs());
    }
}
