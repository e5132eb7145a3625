package io.tapflow.flowagg.metrics;

import com.datadoghq.sketch.ddsketch.DDSketch;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * State serializer of {@link RequestStats}: the seven counters, then the sketch in its contract (protobuf) form
 * with a length prefix, -1 for no sketch. Not Kryo: a DDSketch is not a POJO.
 */
public final class RequestStatsSerializer extends TypeSerializerSingleton<RequestStats> {

    private static final long serialVersionUID = 1L;

    public static final RequestStatsSerializer INSTANCE = new RequestStatsSerializer();

    private static final int NO_SKETCH = -1;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public RequestStats createInstance() {
        return new RequestStats();
    }

    @Override
    public RequestStats copy(RequestStats from) {
        return from.copy();
    }

    @Override
    public RequestStats copy(RequestStats from, RequestStats reuse) {
        return from.copy();
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(RequestStats stats, DataOutputView target) throws IOException {
        target.writeLong(stats.requests());
        target.writeLong(stats.clientErrors());
        target.writeLong(stats.serverErrors());
        target.writeLong(stats.timeouts());
        target.writeLong(stats.latencyCount());
        target.writeLong(stats.latencySumUs());
        target.writeLong(stats.latencyMaxUs());
        DDSketch sketch = stats.sketch();
        if (sketch == null) {
            target.writeInt(NO_SKETCH);
        } else {
            byte[] bytes = LatencySketch.toBytes(sketch);
            target.writeInt(bytes.length);
            target.write(bytes);
        }
    }

    @Override
    public RequestStats deserialize(DataInputView source) throws IOException {
        long requests = source.readLong();
        long clientErrors = source.readLong();
        long serverErrors = source.readLong();
        long timeouts = source.readLong();
        long latencyCount = source.readLong();
        long latencySumUs = source.readLong();
        long latencyMaxUs = source.readLong();
        int length = source.readInt();
        DDSketch sketch = null;
        if (length != NO_SKETCH) {
            byte[] bytes = new byte[length];
            source.readFully(bytes);
            sketch = LatencySketch.fromBytes(bytes);
        }
        return new RequestStats(requests, clientErrors, serverErrors, timeouts, latencyCount, latencySumUs,
                latencyMaxUs, sketch);
    }

    @Override
    public RequestStats deserialize(RequestStats reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        // through a byte array: DataOutputSerializer#write(DataInputView, int) does not grow its buffer
        for (int i = 0; i < 7; i++) {
            target.writeLong(source.readLong());
        }
        int length = source.readInt();
        target.writeInt(length);
        if (length != NO_SKETCH) {
            byte[] bytes = new byte[length];
            source.readFully(bytes);
            target.write(bytes);
        }
    }

    @Override
    public TypeSerializerSnapshot<RequestStats> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of the stateless serializer; restored by its public no-argument constructor. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<RequestStats> {

        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
