package io.tapflow.flink.serde;

import java.io.IOException;
import java.io.Serializable;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.util.InstantiationUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Type information for keyed state that is an object graph of our own classes with no schema of its own (protocol
 * decoders mid-message, reorder buffers): Java serialization, not Kryo, because the graphs hold records and byte
 * arrays Kryo cannot copy on Java 17 without opening JDK modules, and because every class in them is ours and marked
 * {@link Serializable} on purpose.
 *
 * <p>State like this is transient by nature (it describes in-flight bytes), so a value that cannot be read back —
 * a savepoint taken by a version whose classes changed incompatibly — restores as {@code null} with a warning
 * instead of failing the job: the function sees a fresh key and resynchronises on the next message.
 */
public final class JavaSerializedTypeInfo<T extends Serializable> extends SingleClassTypeInfo<T> {

    private static final long serialVersionUID = 1L;

    private JavaSerializedTypeInfo(Class<T> type) {
        super(type);
    }

    public static <T extends Serializable> JavaSerializedTypeInfo<T> forClass(Class<T> type) {
        return new JavaSerializedTypeInfo<>(type);
    }

    @Override
    public TypeSerializer<T> createSerializer(SerializerConfig config) {
        return new Serializer<>(getTypeClass());
    }

    /** Length-prefixed Java serialization; {@link #copy} is a deep copy, as copy-on-write heap snapshots need. */
    public static final class Serializer<T extends Serializable> extends TypeSerializer<T> {

        private static final long serialVersionUID = 1L;
        private static final Logger LOG = LoggerFactory.getLogger(Serializer.class);

        private final Class<T> type;

        Serializer(Class<T> type) {
            this.type = type;
        }

        @Override
        public boolean isImmutableType() {
            return false;
        }

        @Override
        public TypeSerializer<T> duplicate() {
            return this;
        }

        @Override
        public T createInstance() {
            return null;
        }

        @Override
        public T copy(T from) {
            if (from == null) {
                return null;
            }
            try {
                return InstantiationUtil.clone(from, Thread.currentThread().getContextClassLoader());
            } catch (IOException | ClassNotFoundException e) {
                throw new IllegalStateException("copying state of " + type.getName() + ": " + e, e);
            }
        }

        @Override
        public T copy(T from, T reuse) {
            return copy(from);
        }

        @Override
        public int getLength() {
            return -1;
        }

        @Override
        public void serialize(T record, DataOutputView target) throws IOException {
            byte[] bytes = InstantiationUtil.serializeObject(record);
            target.writeInt(bytes.length);
            target.write(bytes);
        }

        @Override
        public T deserialize(DataInputView source) throws IOException {
            byte[] bytes = new byte[source.readInt()];
            source.readFully(bytes);
            try {
                return type.cast(InstantiationUtil.deserializeObject(bytes,
                        Thread.currentThread().getContextClassLoader()));
            } catch (IOException | ClassNotFoundException | ClassCastException e) {
                LOG.warn("dropping unreadable {} state ({} bytes), the key starts afresh: {}", type.getSimpleName(),
                        bytes.length, e.toString());
                return null;
            }
        }

        @Override
        public T deserialize(T reuse, DataInputView source) throws IOException {
            return deserialize(source);
        }

        @Override
        public void copy(DataInputView source, DataOutputView target) throws IOException {
            int length = source.readInt();
            target.writeInt(length);
            target.write(source, length);
        }

        @Override
        public boolean equals(Object obj) {
            return obj instanceof Serializer<?> other && other.type.equals(type);
        }

        @Override
        public int hashCode() {
            return type.hashCode();
        }

        @Override
        public TypeSerializerSnapshot<T> snapshotConfiguration() {
            return new Snapshot<>(type);
        }
    }

    /** Savepoint snapshot: the class name; readability of the values themselves is handled per value. */
    public static final class Snapshot<T extends Serializable> extends ClassNameSnapshot<T> {

        /** For reflective instantiation on restore. */
        public Snapshot() {}

        Snapshot(Class<T> type) {
            super(type);
        }

        @Override
        public TypeSerializer<T> restoreSerializer() {
            return new Serializer<>(type());
        }
    }
}
