package io.tapflow.flowagg.metrics;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.mapping.LogarithmicMapping;
import com.datadoghq.sketch.ddsketch.store.Store;
import com.datadoghq.sketch.ddsketch.store.UnboundedSizeDenseStore;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The latency sketch of the metric contracts ({@code RedMetric.latency_sketch}, {@code ServiceMapEdge.latency_sketch}):
 * a DDSketch with relative accuracy {@value #RELATIVE_ACCURACY}, logarithmic index mapping and unbounded dense
 * stores, in the DDSketch protobuf format written by {@link DDSketch#serialize()}.
 *
 * <p>Why our own reader: sketches-java ships protobuf classes generated for protobuf 3.13, which do not load with
 * the protobuf 4.x runtime the jobs carry ({@code NoSuchMethodError} in {@code DDSketchProto}), so
 * {@code DDSketchProtoBinding.fromProto} cannot be used. {@link #fromBytes} reads the same wire format with the
 * runtime's {@link CodedInputStream}; state and output use this one format.
 *
 * <p>Unbounded stores (no collapsing) keep the serialized bytes a function of the multiset of samples only, never
 * of their arrival order, which the byte-identical replay rule needs. Latencies in µs span at most ~1,400 bins at
 * this accuracy (1 µs .. 1 day), so the unbounded store stays small.
 */
public final class LatencySketch {

    /** Relative accuracy promised by the contract docs. */
    public static final double RELATIVE_ACCURACY = 0.01;

    // field numbers of DDSketch.proto (DataDog/sketches-java src/main/proto/DDSketch.proto)
    private static final int SKETCH_MAPPING = 1;
    private static final int SKETCH_POSITIVE = 2;
    private static final int SKETCH_NEGATIVE = 3;
    private static final int SKETCH_ZERO_COUNT = 4;
    private static final int MAPPING_GAMMA = 1;
    private static final int MAPPING_INDEX_OFFSET = 2;
    private static final int MAPPING_INTERPOLATION = 3;
    private static final int STORE_BIN_COUNTS = 1;
    private static final int STORE_CONTIGUOUS_COUNTS = 2;
    private static final int STORE_CONTIGUOUS_OFFSET = 3;
    private static final int MAP_ENTRY_KEY = 1;
    private static final int MAP_ENTRY_VALUE = 2;

    private LatencySketch() {
    }

    /** An empty sketch with the contract's mapping and stores. */
    public static DDSketch create() {
        return DDSketches.logarithmicUnboundedDense(RELATIVE_ACCURACY);
    }

    /** The protobuf form ({@link DDSketch#serialize()}) as a byte array. */
    public static byte[] toBytes(DDSketch sketch) {
        ByteBuffer buffer = sketch.serialize();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    /**
     * Reads a sketch written by {@link DDSketch#serialize()} with a logarithmic mapping (the contract's).
     *
     * @throws IllegalArgumentException if the bytes are not such a sketch
     */
    public static DDSketch fromBytes(byte[] bytes) {
        try {
            return readSketch(CodedInputStream.newInstance(bytes));
        } catch (IOException e) {
            throw new IllegalArgumentException("not a DDSketch protobuf message: " + e.getMessage(), e);
        }
    }

    /** {@link #fromBytes} over a buffer's remaining bytes, leaving its position unchanged. */
    public static DDSketch fromBytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return fromBytes(bytes);
    }

    private static DDSketch readSketch(CodedInputStream in) throws IOException {
        LogarithmicMapping mapping = null;
        Store positive = new UnboundedSizeDenseStore();
        Store negative = new UnboundedSizeDenseStore();
        double zeroCount = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case SKETCH_MAPPING -> mapping = readEmbedded(in, LatencySketch::readMapping);
                case SKETCH_POSITIVE -> readEmbedded(in, body -> readStore(body, positive));
                case SKETCH_NEGATIVE -> readEmbedded(in, body -> readStore(body, negative));
                case SKETCH_ZERO_COUNT -> zeroCount = in.readDouble();
                default -> in.skipField(tag);
            }
        }
        if (mapping == null) {
            throw new IOException("sketch without an index mapping");
        }
        return DDSketch.of(mapping, negative, positive, zeroCount);
    }

    private static LogarithmicMapping readMapping(CodedInputStream in) throws IOException {
        double gamma = 0;
        double indexOffset = 0;
        int interpolation = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case MAPPING_GAMMA -> gamma = in.readDouble();
                case MAPPING_INDEX_OFFSET -> indexOffset = in.readDouble();
                case MAPPING_INTERPOLATION -> interpolation = in.readEnum();
                default -> in.skipField(tag);
            }
        }
        // NONE = 0 is the logarithmic mapping; the interpolated ones index differently and are not ours
        if (interpolation != 0 || !(gamma > 1)) {
            throw new IOException("not a logarithmic mapping: gamma=" + gamma + " interpolation=" + interpolation);
        }
        return new LogarithmicMapping(gamma, indexOffset);
    }

    private static Void readStore(CodedInputStream in, Store store) throws IOException {
        int offset = 0;
        double[] contiguous = new double[0];
        int contiguousLength = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case STORE_BIN_COUNTS -> readEmbedded(in, entry -> readBinCount(entry, store));
                case STORE_CONTIGUOUS_OFFSET -> offset = in.readSInt32();
                case STORE_CONTIGUOUS_COUNTS -> {
                    if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                        int limit = in.pushLimit(in.readRawVarint32());
                        while (in.getBytesUntilLimit() > 0) {
                            contiguous = append(contiguous, contiguousLength++, in.readDouble());
                        }
                        in.popLimit(limit);
                    } else {
                        contiguous = append(contiguous, contiguousLength++, in.readDouble());
                    }
                }
                default -> in.skipField(tag);
            }
        }
        // the offset may come after the counts on the wire, so the counts are placed only now
        for (int i = 0; i < contiguousLength; i++) {
            if (contiguous[i] != 0) {
                store.add(offset + i, contiguous[i]);
            }
        }
        return null;
    }

    private static Void readBinCount(CodedInputStream in, Store store) throws IOException {
        int index = 0;
        double count = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case MAP_ENTRY_KEY -> index = in.readSInt32();
                case MAP_ENTRY_VALUE -> count = in.readDouble();
                default -> in.skipField(tag);
            }
        }
        if (count != 0) {
            store.add(index, count);
        }
        return null;
    }

    private static double[] append(double[] values, int at, double value) {
        double[] grown = at < values.length ? values : Arrays.copyOf(values, Math.max(16, at * 2));
        grown[at] = value;
        return grown;
    }

    @FunctionalInterface
    private interface MessageReader<T> {
        T read(CodedInputStream in) throws IOException;
    }

    private static <T> T readEmbedded(CodedInputStream in, MessageReader<T> reader) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        T value = reader.read(in);
        if (in.getBytesUntilLimit() != 0) {
            throw new IOException("embedded message not fully read");
        }
        in.popLimit(limit);
        return value;
    }
}
