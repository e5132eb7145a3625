package io.tapflow.flink.deadletter;

import io.tapflow.schema.DeadLetter;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Type information of {@link DeadLetter} backed by {@link DeadLetterSerializer} (Avro binary, not Kryo). */
final class DeadLetterTypeInfo extends TypeInformation<DeadLetter> {

    private static final long serialVersionUID = 1L;

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
    public Class<DeadLetter> getTypeClass() {
        return DeadLetter.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<DeadLetter> createSerializer(SerializerConfig config) {
        return new DeadLetterSerializer();
    }

    @Override
    public String toString() {
        return "DeadLetterTypeInfo";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof DeadLetterTypeInfo;
    }

    @Override
    public int hashCode() {
        return DeadLetterTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof DeadLetterTypeInfo;
    }
}
