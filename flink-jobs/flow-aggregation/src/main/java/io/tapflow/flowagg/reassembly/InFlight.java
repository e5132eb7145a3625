package io.tapflow.flowagg.reassembly;

import io.tapflow.flink.flow.SegmentOrdering;
import io.tapflow.protocols.ConnectionDecoders;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.InstantiationUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of a {@link FlowSession} that describe bytes in flight: protocol decoders mid-stream, segments held for
 * reordering or for protocol detection, requests awaiting their response. Object graphs of the protocol module's
 * own classes, so they are kept in Java serialization (every class in them is {@link Serializable} on purpose and
 * the golden tests round-trip every decoder after every segment).
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
    final RequestPairing pending = new RequestPairing();
    /** By the event's Direction (INGRESS/EGRESS) ordinal - 1. */
    final SegmentOrdering[] ordering = {new SegmentOrdering(), new SegmentOrdering()};

    byte[] encode() {
        try {
            return InstantiationUtil.serializeObject(this);
        } catch (IOException e) {
            throw new UncheckedIOException("encoding a flow's in-flight state", e);
        }
    }

    /**
     * Decodes what {@link #encode} wrote; null when the classes changed incompatibly since (state from an older
     * version): in-flight state describes a few messages at most, so the flow starts afresh rather than the job
     * failing.
     */
    static InFlight decode(byte[] bytes) {
        try {
            return InstantiationUtil.deserializeObject(bytes, InFlight.class.getClassLoader());
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            LOG.warn("dropping unreadable in-flight state of a flow ({} bytes), it resynchronises: {}", bytes.length,
                    e.toString());
            return null;
        }
    }
}
