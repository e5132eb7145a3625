package io.tapflow.flowagg.reassembly;

import io.tapflow.flink.flow.SegmentOrdering;
import io.tapflow.protocols.ConnectionDecoders;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
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
     * One zlib stream per thread (the task thread and the asynchronous snapshot thread encode), reset per use:
     * creating one allocates and frees native buffers, once per flow change and checkpoint otherwise.
     */
    private static final ThreadLocal<Deflater> DEFLATERS =
            ThreadLocal.withInitial(() -> new Deflater(Deflater.BEST_SPEED));
    private static final ThreadLocal<Inflater> INFLATERS = ThreadLocal.withInitial(Inflater::new);

    /**
     * Segments seen while the protocol is undecided, decoded once it is; at most the detector's attempts, since the
     * flow is UNKNOWN for good after that.
     */
    final List<SegmentOrdering.Ready> undecided = new ArrayList<>(2);
    ConnectionDecoders decoders;
    final RequestPairing pending = new RequestPairing();
    /** By the event's Direction (INGRESS/EGRESS) ordinal - 1. */
    final SegmentOrdering[] ordering = {new SegmentOrdering(), new SegmentOrdering()};

    /**
     * {@link CompactSerialization}, deflated: a heap checkpoint writes every open flow's bytes every time and they
     * stay in memory, while encoding happens once per change. An HTTP/1.1 connection at rest was 7.2 KB in plain
     * Java serialization (class descriptors and the zeroed spare capacity of the decoders' buffers).
     */
    byte[] encode() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
            Deflater deflater = DEFLATERS.get();
            deflater.reset();
            // a stream given its deflater finishes it on close but leaves it open for the next encode
            try (ObjectOutputStream out =
                    CompactSerialization.output(new DeflaterOutputStream(bytes, deflater, 1024))) {
                out.writeObject(this);
            }
            return bytes.toByteArray();
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
        Inflater inflater = INFLATERS.get();
        inflater.reset();
        try (ObjectInputStream in = CompactSerialization.input(
                new InflaterInputStream(new ByteArrayInputStream(bytes), inflater, 1024),
                InFlight.class.getClassLoader())) {
            return (InFlight) in.readObject();
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            LOG.warn("dropping unreadable in-flight state of a flow ({} bytes), it resynchronises: {}", bytes.length,
                    e.toString());
            return null;
        }
    }
}
