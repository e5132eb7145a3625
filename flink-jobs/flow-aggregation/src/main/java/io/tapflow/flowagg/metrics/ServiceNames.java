package io.tapflow.flowagg.metrics;

import io.tapflow.schema.FlowLog;
import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.RequestLog;

/**
 * The service-name fallback rules of the metric contracts: a service name when the job knows one, else the process
 * name, else the address. Blank names count as unknown, so an empty string never becomes a metric key.
 */
public final class ServiceNames {

    private ServiceNames() {
    }

    /**
     * {@code RedMetric.service}: the measured process's side, i.e. the server for SERVER_PROCESS observations and the
     * client otherwise. UNKNOWN observations take the client side, which for an unknown socket role holds the local
     * end (FlowLog.observation_point), the process that was measured.
     */
    public static String measuredService(RequestLog log) {
        if (log.getObservationPoint() == ObservationPoint.SERVER_PROCESS) {
            return firstKnown(log.getServerService(), log.getServerProcess(),
                    log.getServerIp() + ":" + log.getServerPort());
        }
        return firstKnown(log.getClientService(), log.getClientProcess(), log.getClientIp() + ":" + log.getClientPort());
    }

    /** {@code ServiceMapEdge.client_service}: client service, else client process, else the client ip (no port). */
    public static String clientService(RequestLog log) {
        return firstKnown(log.getClientService(), log.getClientProcess(), log.getClientIp());
    }

    /** {@code ServiceMapEdge.server_service}: server service, else server process, else 'server_ip:server_port'. */
    public static String serverService(RequestLog log) {
        return firstKnown(log.getServerService(), log.getServerProcess(), log.getServerIp() + ":" + log.getServerPort());
    }

    /** {@code NetMetric.client_service}: the edge rule of {@link #clientService(RequestLog)} over a flow. */
    public static String clientService(FlowLog flow) {
        return firstKnown(flow.getClientService(), flow.getClientProcess(), flow.getClientIp());
    }

    /** {@code NetMetric.server_service}: the edge rule of {@link #serverService(RequestLog)} over a flow. */
    public static String serverService(FlowLog flow) {
        return firstKnown(flow.getServerService(), flow.getServerProcess(),
                flow.getServerIp() + ":" + flow.getServerPort());
    }

    private static String firstKnown(String service, String process, String address) {
        if (service != null && !service.isBlank()) {
            return service;
        }
        if (process != null && !process.isBlank()) {
            return process;
        }
        return address;
    }
}
