package io.tapflow.protocols;

import io.tapflow.schema.L7Protocol;
import java.io.Serializable;

/**
 * Sticky protocol detection for one flow: the first payload a parser is confident about decides the protocol for
 * the rest of the flow; after {@code maxAttempts} undecided payloads the flow is {@link L7Protocol#UNKNOWN} for
 * good, so garbage flows stop costing detection.
 *
 * <p>A plain POJO (public no-arg constructor, public fields) so Flink keeps it as keyed state without Kryo.
 */
public final class ProtocolDetector implements Serializable {

    /** Detected protocol; null while undecided. */
    public L7Protocol protocol;
    /** Payloads looked at while undecided. */
    public int attempts;

    public ProtocolDetector() {
    }

    public boolean decided() {
        return protocol != null;
    }

    /**
     * Looks at the first captured bytes of a segment unless the protocol is already decided.
     *
     * @return the protocol once decided, else null
     */
    public L7Protocol observe(ProtocolRegistry registry, byte[] payload, int offset, int length,
                              FlowDirection direction, int minConfidence, int maxAttempts) {
        if (protocol != null || length == 0) {
            return protocol;
        }
        attempts++;
        registry.detect(payload, offset, length, direction, minConfidence)
                .ifPresent(d -> protocol = d.parser().protocol());
        if (protocol == null && attempts >= maxAttempts) {
            protocol = L7Protocol.UNKNOWN;
        }
        return protocol;
    }
}
