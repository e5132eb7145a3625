package io.tapflow.trace.servicemap;

import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.ResponseStatus;
import io.tapflow.trace.assembly.ServiceNaming;
import io.tapflow.trace.link.RequestLogs;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The service-map samples of one trace emission: each request counts once. A client span counts as a
 * CLIENT_PROCESS sample, named after its own client side and, when the server span of the same call was linked to
 * it, that span's server side (the authoritative name); a server span without a captured caller counts as a
 * SERVER_PROCESS sample. Only spans in an emission for the first time count, so update emissions add the late spans
 * only. Known limit: a server span counted alone whose caller arrives in a later update is counted again there.
 */
public final class EdgeSamples {

    private EdgeSamples() {
    }

    /**
     * @param logs the trace's logs
     * @param parentLogs per log id, its in-trace parent (from the assembler)
     * @param firstEmission log ids counted for the first time in this emission
     */
    public static List<EdgeSample> of(Collection<RequestLog> logs, Map<String, RequestLog> parentLogs,
            Set<String> firstEmission) {
        Map<String, RequestLog> serverOfClient = new HashMap<>();
        for (RequestLog log : logs) {
            RequestLog parent = parentLogs.get(log.getLogId());
            if (RequestLogs.isServer(log) && parent != null && RequestLogs.isClient(parent)) {
                serverOfClient.putIfAbsent(parent.getLogId(), log);
            }
        }
        List<EdgeSample> samples = new ArrayList<>();
        for (RequestLog log : logs) {
            if (!firstEmission.contains(log.getLogId())) {
                continue;
            }
            if (RequestLogs.isClient(log)) {
                RequestLog server = serverOfClient.get(log.getLogId());
                samples.add(sample(ServiceNaming.clientService(log),
                        ServiceNaming.serverService(server == null ? log : server), ObservationPoint.CLIENT_PROCESS,
                        log));
            } else if (RequestLogs.isServer(log)) {
                RequestLog parent = parentLogs.get(log.getLogId());
                if (parent == null || !RequestLogs.isClient(parent)) {
                    samples.add(sample(ServiceNaming.clientService(log), ServiceNaming.serverService(log),
                            ObservationPoint.SERVER_PROCESS, log));
                }
            }
        }
        return samples;
    }

    private static EdgeSample sample(String client, String server, ObservationPoint point, RequestLog log) {
        Long duration = log.getResponseDurationUs();
        long latency = duration == null || log.getResponseStatus() == ResponseStatus.TIMEOUT ? -1
                : Math.max(0, duration);
        return new EdgeSample(client, server, log.getL7Protocol().name(), point.name(), log.getStartTimeUs(),
                log.getResponseStatus().name(), latency);
    }
}
