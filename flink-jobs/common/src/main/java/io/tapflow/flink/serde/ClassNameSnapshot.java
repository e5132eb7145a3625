package io.tapflow.flink.serde;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A serializer snapshot that is the serialized class's name: for serializers whose encoding carries its own
 * evolution rules (Avro records) or is checked per value (Java serialization), so the snapshot only has to find the
 * class again. The same snapshot kind for the same class is compatible as is; anything else is not.
 */
public abstract class ClassNameSnapshot<T> implements TypeSerializerSnapshot<T> {

    private Class<T> type;

    /** For reflective instantiation on restore. */
    protected ClassNameSnapshot() {}

    protected ClassNameSnapshot(Class<T> type) {
        this.type = type;
    }

    protected Class<T> type() {
        return type;
    }

    @Override
    public int getCurrentVersion() {
        return 1;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
        out.writeUTF(type.getName());
    }

    @Override
    @SuppressWarnings("unchecked")
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader) throws IOException {
        String name = in.readUTF();
        try {
            type = (Class<T>) Class.forName(name, false, classLoader);
        } catch (ClassNotFoundException e) {
            throw new IOException("state holds " + name + ", which this job does not have", e);
        }
    }

    @Override
    public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> old) {
        return old != null && old.getClass() == getClass() && ((ClassNameSnapshot<T>) old).type.equals(type)
                ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                : TypeSerializerSchemaCompatibility.incompatible();
    }
}
