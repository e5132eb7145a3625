package io.tapflow.flink.serde;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 * a savepoint taken by a version whose classes' serialized fields changed (the compact form names each class and
 * fingerprints its fields, see {@link CompactObjectOutputStream}) — restores as {@code null} with a warning
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

    /**
     * Length-prefixed Java serialization in the compact form of {@link CompactObjectOutputStream} (values written
     * in the JDK's form still read); {@link #copy} is a deep copy, as copy-on-write heap snapshots need.
     */
    public static final class Serializer<T extends Serializable> extends TypeSerializer<T> {

        private static final long serialVersionUID = 1L;
        private static final Logger LOG = LoggerFactory.getLogger(Serializer.class);

        private final Class<T> type;
        // what the compact reader resolved, and with which loader: Class.forName through a job's loader is slow
        private transient volatile ResolvedClasses resolved;

        Serializer(Class<T> type) {
            this.type = type;
        }

        @Override
        public boolean isImmutableType() {
            return false;
        }

        @Override
        public TypeSerializer<T> duplicate() {
            return new Serializer<>(type);
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
                return type.cast(read(write(from)));
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
            byte[] bytes = write(record);
            target.writeInt(bytes.length);
            target.write(bytes);
        }

        @Override
        public T deserialize(DataInputView source) throws IOException {
            byte[] bytes = new byte[source.readInt()];
            source.readFully(bytes);
            try {
                return type.cast(read(bytes));
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

        private static byte[] write(Object value) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
            try (ObjectOutputStream out = new CompactObjectOutputStream(bytes)) {
                out.writeObject(value);
            }
            return bytes.toByteArray();
        }

        /** Compact streams, and the JDK's format that values written before them have (0xACED). */
        private Object read(byte[] bytes) throws IOException, ClassNotFoundException {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            if (bytes.length >= 2 && bytes[0] == (byte) 0xAC && bytes[1] == (byte) 0xED) {
                return InstantiationUtil.deserializeObject(bytes, loader);
            }
            ResolvedClasses known = resolved;
            if (known == null || known.loader() != loader) {
                known = new ResolvedClasses(loader, new ConcurrentHashMap<>());
                resolved = known;
            }
            try (ObjectInputStream in = new CompactObjectInputStream(new ByteArrayInputStream(bytes), loader,
                    known.byName())) {
                return in.readObject();
            }
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

    private record ResolvedClasses(ClassLoader loader, Map<String, Class<?>> byName) {
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
