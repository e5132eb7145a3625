package io.tapflow.flowagg.metrics;

import java.util.Objects;

/**
 * Dimensions of a {@code ServiceMapEdge}: (client_service, server_service, l7_protocol, observation_point). A Flink
 * POJO; enums held by name so the key hash is the same in every JVM.
 */
public final class EdgeKey {

    public String clientService;
    public String serverService;
    public String l7Protocol;
    public String observationPoint;

    public EdgeKey() {
    }

    public EdgeKey(String clientService, String serverService, String l7Protocol, String observationPoint) {
        this.clientService = clientService;
        this.serverService = serverService;
        this.l7Protocol = l7Protocol;
        this.observationPoint = observationPoint;
    }

    public static EdgeKey of(RequestSample sample) {
        return new EdgeKey(sample.clientService(), sample.serverService(), sample.l7Protocol().name(),
                sample.observationPoint().name());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EdgeKey k && Objects.equals(clientService, k.clientService)
                && Objects.equals(serverService, k.serverService) && Objects.equals(l7Protocol, k.l7Protocol)
                && Objects.equals(observationPoint, k.observationPoint);
    }

    @Override
    public int hashCode() {
        return Objects.hash(clientService, serverService, l7Protocol, observationPoint);
    }

    @Override
    public String toString() {
        return "EdgeKey{" + clientService + " -> " + serverService + ", " + l7Protocol + ", " + observationPoint + "}";
    }
}
