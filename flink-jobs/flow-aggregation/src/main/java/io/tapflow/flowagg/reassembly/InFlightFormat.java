package io.tapflow.flowagg.reassembly;

import io.tapflow.flink.flow.SegmentOrdering;
import io.tapflow.protocols.ConnectionDecoders;
import io.tapflow.protocols.ProtocolParser;
import io.tapflow.protocols.ProtocolRegistry;
import io.tapflow.schema.L7Protocol;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The encoded form of a flow's {@link InFlight} parts, part by part: each in a hand-written format of its own where
 * it has one at that moment (decoders between messages, orderings that hold nothing, empty lists), else in deflated
 * {@link CompactSerialization}. A tag byte before each part says which.
 *
 * <p>Why: Java serialization of the decoders was most of the asynchronous checkpoints' CPU in
 * {@code ./tapflow bench flow} (handle table, strings, class descriptors, deflate), and it tied the state to the
 * classes' fields: any field change made a restored job drop every open flow's decoders. A part in its own format
 * is read by its format version, whatever the classes' fields are by then.
 */
final class InFlightFormat {

    /**
     * First byte of this form. What came before it (the whole InFlight deflated) starts with zlib's header byte
     * 0x78, so the two are told apart by their first byte.
     */
    static final byte PARTS = 1;

    private static final Logger LOG = LoggerFactory.getLogger(InFlightFormat.class);

    static final byte NONE = 0;
    static final byte OWN = 1;
    static final byte JAVA = 2;

    /**
     * One zlib stream per thread (the task thread and the asynchronous snapshot thread encode), reset per use:
     * creating one allocates and frees native buffers, once per flow change and checkpoint otherwise.
     */
    private static final ThreadLocal<Deflater> DEFLATERS =
            ThreadLocal.withInitial(() -> new Deflater(Deflater.BEST_SPEED));
    private static final ThreadLocal<Inflater> INFLATERS = ThreadLocal.withInitial(Inflater::new);
    private static final ThreadLocal<DataOutputSerializer> OUTPUTS =
            ThreadLocal.withInitial(() -> new DataOutputSerializer(512));

    private InFlightFormat() {
    }

    static boolean isParts(byte[] bytes) {
        return bytes.length > 0 && bytes[0] == PARTS;
    }

    static byte[] encode(InFlight f) throws IOException {
        DataOutputSerializer out = OUTPUTS.get();
        out.clear();
        out.writeByte(PARTS);
        if (f.undecided.isEmpty()) {
            out.writeByte(NONE);
        } else {
            writeJava(out, new ArrayList<>(f.undecided));
        }
        if (f.decoders == null) {
            out.writeByte(NONE);
        } else if (f.decoders.hasStateFormat()) {
            out.writeByte(OWN);
            f.decoders.writeState(out);
        } else {
            writeJava(out, f.decoders);
        }
        if (f.pending.size() == 0) {
            out.writeByte(NONE);
        } else {
            writeJava(out, f.pending);
        }
        for (SegmentOrdering o : f.ordering) {
            if (o.holding()) {
                writeJava(out, o);
            } else {
                out.writeByte(OWN);
                o.writeState(out);
            }
        }
        byte[] bytes = out.getCopyOfBuffer();
        if (out.length() > 64 * 1024) {
            OUTPUTS.remove(); // a rare big flow must not leave a big buffer to each thread
        }
        return bytes;
    }

    /**
     * Reads what {@link #encode} wrote; the flow's decoders (if any) are made by the parser of {@code protocol}, the
     * protocol the flow was detected as. A part in Java serialization that no longer reads (its classes' fields
     * changed since it was written) is dropped alone: requests awaiting an answer and segments held are forgotten,
     * decoders start afresh and resynchronise, while the parts in formats of their own are kept.
     */
    @SuppressWarnings("unchecked")
    static InFlight decode(byte[] bytes, ProtocolRegistry registry, L7Protocol protocol) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        if (in.readByte() != PARTS) {
            throw new IOException("not in-flight parts");
        }
        InFlight f = new InFlight();
        if (tag(in, JAVA) == JAVA) {
            List<SegmentOrdering.Ready> undecided = (List<SegmentOrdering.Ready>) readJava(in, "undecided segments");
            if (undecided != null) {
                f.undecided.addAll(undecided);
            }
        }
        byte decoders = tag(in, JAVA);
        if (decoders != NONE) {
            ProtocolParser parser = protocol == null ? null : registry.parser(protocol).orElse(null);
            if (parser == null) {
                throw new IOException("decoders for protocol " + protocol + ", which this job does not decode");
            }
            f.decoders = decoders == OWN ? ConnectionDecoders.readState(parser, in)
                    : (ConnectionDecoders) readJava(in, "decoders");
            if (f.decoders == null) {
                f.decoders = parser.newConnection();
            }
        }
        if (tag(in, JAVA) == JAVA) {
            RequestPairing pending = (RequestPairing) readJava(in, "requests awaiting an answer");
            if (pending != null) {
                f.pending = pending;
            }
        }
        for (int d = 0; d < 2; d++) {
            if (tag(in, JAVA) == OWN) {
                f.ordering[d] = SegmentOrdering.readState(in);
            } else {
                SegmentOrdering o = (SegmentOrdering) readJava(in, "held segments");
                if (o != null) {
                    f.ordering[d] = o;
                }
            }
        }
        if (in.available() > 0) {
            throw new IOException(in.available() + " bytes after the in-flight parts");
        }
        return f;
    }

    /** The next part's tag, at most {@code max}. */
    private static byte tag(DataInput in, byte max) throws IOException {
        byte t = in.readByte();
        if (t < NONE || t > max) {
            throw new IOException("unknown in-flight part tag " + t);
        }
        return t;
    }

    /** A part that has no format of its own: deflated {@link CompactSerialization}, length first. */
    private static void writeJava(DataOutput out, Serializable part) throws IOException {
        out.writeByte(JAVA);
        byte[] bytes = java(part);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    /** A part {@link #writeJava} wrote, or null (logged) when it no longer reads. */
    private static Object readJava(DataInput in, String part) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        try {
            return fromJava(bytes);
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            LOG.warn("dropping the unreadable {} of a flow ({} bytes): {}", part, bytes.length, e.toString());
            return null;
        }
    }

    /** {@code part} in deflated {@link CompactSerialization}. */
    static byte[] java(Serializable part) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        Deflater deflater = DEFLATERS.get();
        deflater.reset();
        // a stream given its deflater finishes it on close but leaves it open for the next encode
        try (ObjectOutputStream out = CompactSerialization.output(new DeflaterOutputStream(bytes, deflater, 1024))) {
            out.writeObject(part);
        }
        return bytes.toByteArray();
    }

    /** Reads what {@link #java} wrote. */
    static Object fromJava(byte[] bytes) throws IOException, ClassNotFoundException {
        Inflater inflater = INFLATERS.get();
        inflater.reset();
        try (ObjectInputStream in = CompactSerialization.input(
                new InflaterInputStream(new ByteArrayInputStream(bytes), inflater, 1024),
                InFlight.class.getClassLoader())) {
            return in.readObject();
        }
    }
}
