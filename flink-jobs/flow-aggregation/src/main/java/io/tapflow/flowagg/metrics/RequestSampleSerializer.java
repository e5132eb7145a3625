package io.tapflow.flowagg.metrics;

import io.tapflow.flink.serde.NullableValues;
import io.tapflow.flink.serde.SingleClassTypeInfo;
import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.ResponseStatus;
import java.io.IOException;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Network serializer of {@link RequestSample} (it is never kept in state): strings, enum ordinals, the start time
 * and the duration; immutable, so copies are the value itself.
 */
public final class RequestSampleSerializer extends TypeSerializerSingleton<RequestSample> {

    private static final long serialVersionUID = 1L;

    public static final RequestSampleSerializer INSTANCE = new RequestSampleSerializer();
    public static final TypeInformation<RequestSample> TYPE_INFO = new TypeInfo();

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public RequestSample createInstance() {
        return null;
    }

    @Override
    public RequestSample copy(RequestSample from) {
        return from;
    }

    @Override
    public RequestSample copy(RequestSample from, RequestSample reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(RequestSample s, DataOutputView out) throws IOException {
        NullableValues.writeString(out, s.service());
        NullableValues.writeString(out, s.endpoint());
        NullableValues.writeString(out, s.clientService());
        NullableValues.writeString(out, s.serverService());
        out.writeByte(s.l7Protocol().ordinal());
        out.writeByte(s.observationPoint().ordinal());
        out.writeByte(s.responseStatus().ordinal());
        out.writeLong(s.startTimeUs());
        NullableValues.writeLong(out, s.responseDurationUs());
    }

    @Override
    public RequestSample deserialize(DataInputView in) throws IOException {
        return new RequestSample(NullableValues.readString(in), NullableValues.readString(in),
                NullableValues.readString(in), NullableValues.readString(in), L7Protocol.values()[in.readByte()],
                ObservationPoint.values()[in.readByte()], ResponseStatus.values()[in.readByte()], in.readLong(),
                NullableValues.readLong(in));
    }

    @Override
    public RequestSample deserialize(RequestSample reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<RequestSample> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of the stateless serializer; restored by its public no-argument constructor. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<RequestSample> {

        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    private static final class TypeInfo extends SingleClassTypeInfo<RequestSample> {

        private static final long serialVersionUID = 1L;

        TypeInfo() {
            super(RequestSample.class);
        }

        @Override
        public TypeSerializer<RequestSample> createSerializer(SerializerConfig config) {
            return INSTANCE;
        }
    }
}
