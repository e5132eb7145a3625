package io.tapflow.flowagg.metrics;

import java.util.Objects;

/**
 * Dimensions of a {@code RedMetric}: (service, endpoint, l7_protocol, observation_point). A Flink POJO; the enums
 * are held by name because a key's hash must be the same in every JVM and an enum's is not.
 */
public final class RedKey {

    public String service;
    public String endpoint;
    public String l7Protocol;
    public String observationPoint;

    public RedKey() {
    }

    public RedKey(String service, String endpoint, String l7Protocol, String observationPoint) {
        this.service = service;
        this.endpoint = endpoint;
        this.l7Protocol = l7Protocol;
        this.observationPoint = observationPoint;
    }

    /** The key a request log counts under; a missing endpoint is the empty string, as in the row. */
    public static RedKey of(RequestSample sample) {
        return new RedKey(sample.service(), sample.endpoint(), sample.l7Protocol().name(),
                sample.observationPoint().name());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RedKey k && Objects.equals(service, k.service) && Objects.equals(endpoint, k.endpoint)
                && Objects.equals(l7Protocol, k.l7Protocol) && Objects.equals(observationPoint, k.observationPoint);
    }

    @Override
    public int hashCode() {
        return Objects.hash(service, endpoint, l7Protocol, observationPoint);
    }

    @Override
    public String toString() {
        return "RedKey{" + service + ", " + endpoint + ", " + l7Protocol + ", " + observationPoint + "}";
    }
}
