package io.tapflow.trace.servicemap;

import java.io.Serializable;

/**
 * One request on one service-map edge, from a linked client/server span pair (or a lone span): the edge's
 * dimensions, when it started, its status and its duration (-1 when it has no latency sample).
 */
public record EdgeSample(String clientService, String serverService, String l7Protocol, String observationPoint,
        long startTimeUs, String status, long durationUs) implements Serializable {

    /** The keyed-state key of the edge: its four dimensions. */
    public String edgeKey() {
        return clientService + '\u001f' + serverService + '\u001f' + l7Protocol + '\u001f' + observationPoint;
    }
}
