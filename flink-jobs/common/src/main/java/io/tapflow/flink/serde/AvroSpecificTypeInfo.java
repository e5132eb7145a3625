package io.tapflow.flink.serde;

import java.util.Objects;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Type information of a generated Avro record class backed by {@link AvroSpecificSerializer} (Avro binary, not
 * Kryo). Use it wherever a contract record flows between operators or sits in state:
 * {@code AvroSpecificTypeInfo.forRecord(SocketDataEvent.class)}.
 */
public final class AvroSpecificTypeInfo<T extends SpecificRecordBase> extends TypeInformation<T> {

    private static final long serialVersionUID = 1L;

    private final Class<T> recordClass;

    private AvroSpecificTypeInfo(Class<T> recordClass) {
        this.recordClass = Objects.requireNonNull(recordClass, "recordClass");
    }

    public static <T extends SpecificRecordBase> AvroSpecificTypeInfo<T> forRecord(Class<T> recordClass) {
        return new AvroSpecificTypeInfo<>(recordClass);
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<T> getTypeClass() {
        return recordClass;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<T> createSerializer(SerializerConfig config) {
        return new AvroSpecificSerializer<>(recordClass);
    }

    @Override
    public String toString() {
        return "AvroSpecificTypeInfo<" + recordClass.getSimpleName() + ">";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof AvroSpecificTypeInfo<?> other && other.recordClass.equals(recordClass);
    }

    @Override
    public int hashCode() {
        return recordClass.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof AvroSpecificTypeInfo;
    }
}
