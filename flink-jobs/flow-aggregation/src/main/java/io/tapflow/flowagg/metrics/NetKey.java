package io.tapflow.flowagg.metrics;

import io.tapflow.schema.FlowLog;
import java.util.Objects;

/**
 * Dimensions of a {@code NetMetric}: (client_service, server_service, server_port, l4_protocol, observation_point).
 * A Flink POJO; enums held by name so the key hash is the same in every JVM.
 */
public final class NetKey {

    public String clientService;
    public String serverService;
    public int serverPort;
    public String l4Protocol;
    public String observationPoint;

    public NetKey() {
    }

    public NetKey(String clientService, String serverService, int serverPort, String l4Protocol,
            String observationPoint) {
        this.clientService = clientService;
        this.serverService = serverService;
        this.serverPort = serverPort;
        this.l4Protocol = l4Protocol;
        this.observationPoint = observationPoint;
    }

    public static NetKey of(FlowLog flow) {
        return new NetKey(ServiceNames.clientService(flow), ServiceNames.serverService(flow), flow.getServerPort(),
                flow.getL4Protocol().name(), flow.getObservationPoint().name());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetKey k && serverPort == k.serverPort && Objects.equals(clientService, k.clientService)
                && Objects.equals(serverService, k.serverService) && Objects.equals(l4Protocol, k.l4Protocol)
                && Objects.equals(observationPoint, k.observationPoint);
    }

    @Override
    public int hashCode() {
        return Objects.hash(clientService, serverService, serverPort, l4Protocol, observationPoint);
    }

    @Override
    public String toString() {
        return "NetKey{" + clientService + " -> " + serverService + ":" + serverPort + ", " + l4Protocol + ", "
                + observationPoint + "}";
    }
}
