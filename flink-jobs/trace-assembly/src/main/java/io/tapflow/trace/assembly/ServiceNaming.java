package io.tapflow.trace.assembly;

import io.tapflow.schema.RequestLog;
import io.tapflow.trace.link.RequestLogs;

/**
 * The service-name fallbacks of the contracts: a known service name, else the process name, else the address. Blank
 * names count as unknown, so an empty string never becomes a span's service or a map edge.
 */
public final class ServiceNaming {

    private ServiceNaming() {
    }

    /** {@code Span.service}: the client side for CLIENT spans, the server side otherwise; address as 'ip:port'. */
    public static String spanService(RequestLog log) {
        if (RequestLogs.isClient(log)) {
            return firstKnown(log.getClientService(), log.getClientProcess(),
                    log.getClientIp() + ":" + log.getClientPort());
        }
        return serverService(log);
    }

    /** {@code ServiceMapEdge.client_service}: client service, else process, else the client ip (no port). */
    public static String clientService(RequestLog log) {
        return firstKnown(log.getClientService(), log.getClientProcess(), log.getClientIp());
    }

    /** {@code ServiceMapEdge.server_service}: server service, else process, else 'server_ip:server_port'. */
    public static String serverService(RequestLog log) {
        return firstKnown(log.getServerService(), log.getServerProcess(),
                log.getServerIp() + ":" + log.getServerPort());
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
