package io.tapflow.flowagg.reassembly;

import io.tapflow.flink.flow.SegmentOrdering;
import io.tapflow.protocols.ConnectionDecoders;
import io.tapflow.protocols.ProtocolRegistry;
import io.tapflow.schema.L7Protocol;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of a {@link FlowSession} that describe bytes in flight: protocol decoders mid-stream, segments held for
 * reordering or for protocol detection, requests awaiting their response. Encoded part by part by
 * {@link InFlightFormat}: in each part's own format where it has one, else in Java serialization (every class in
 * them is {@link Serializable} on purpose, and the golden tests round-trip every decoder after every segment both
 * ways). Serializable itself only to read state written before that format.
 */
final class InFlight implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(InFlight.class);

    /**
     * Segments seen while the protocol is undecided, decoded once it is; at most the detector's attempts, since the
     * flow is UNKNOWN for good after that.
     */
    final List<SegmentOrdering.Ready> undecided = new ArrayList<>(2);
    ConnectionDecoders decoders;
    RequestPairing pending = new RequestPairing();
    /** By the event's Direction (INGRESS/EGRESS) ordinal - 1. */
    final SegmentOrdering[] ordering = {new SegmentOrdering(), new SegmentOrdering()};

    /**
     * {@link InFlightFormat}: a heap checkpoint writes every open flow's bytes every time and they stay in memory,
     * while encoding happens once per change.
     */
    byte[] encode() {
        try {
            return InFlightFormat.encode(this);
        } catch (IOException e) {
            throw new UncheckedIOException("encoding a flow's in-flight state", e);
        }
    }

    /**
     * Decodes what {@link #encode} wrote (or, before {@link InFlightFormat}, the whole InFlight in deflated Java
     * serialization); the decoders are made by {@code registry}'s parser of {@code protocol}, the flow's. Null when
     * the bytes cannot be read (state from an older version whose format or classes this one does not know, beyond
     * the parts {@link InFlightFormat} drops alone): in-flight state describes a few messages at most, so the flow
     * starts afresh rather than the job failing.
     */
    static InFlight decode(byte[] bytes, ProtocolRegistry registry, L7Protocol protocol) {
        try {
            return InFlightFormat.isParts(bytes) ? InFlightFormat.decode(bytes, registry, protocol)
                    : (InFlight) InFlightFormat.fromJava(bytes);
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            LOG.warn("dropping unreadable in-flight state of a flow ({} bytes), it resynchronises: {}", bytes.length,
                    e.toString());
            return null;
        }
    }
}
