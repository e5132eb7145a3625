package io.tapflow.flink.serde;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Type information of a generated Avro record class backed by {@link AvroSpecificSerializer} (Avro binary, not
 * Kryo). Use it wherever a contract record flows between operators or sits in state:
 * {@code AvroSpecificTypeInfo.forRecord(SocketDataEvent.class)}.
 */
public final class AvroSpecificTypeInfo<T extends SpecificRecordBase> extends SingleClassTypeInfo<T> {

    private static final long serialVersionUID = 1L;

    private AvroSpecificTypeInfo(Class<T> recordClass) {
        super(recordClass);
    }

    public static <T extends SpecificRecordBase> AvroSpecificTypeInfo<T> forRecord(Class<T> recordClass) {
        return new AvroSpecificTypeInfo<>(recordClass);
    }

    @Override
    public TypeSerializer<T> createSerializer(SerializerConfig config) {
        return new AvroSpecificSerializer<>(getTypeClass());
    }
}
