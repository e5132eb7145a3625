package io.tapflow.flink.serde;

import io.tapflow.schema.serde.SpecificRecords;
import java.io.IOException;
import java.util.Objects;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.runtime.DataInputViewStream;
import org.apache.flink.api.java.typeutils.runtime.DataOutputViewStream;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.util.InstantiationUtil;

/**
 * Avro binary serializer of a generated record class between operators and in state. Kryo (Flink's fallback for
 * Avro classes without flink-avro) reflects into {@code ByteBuffer} internals for {@code bytes} fields, which Java
 * 17 refuses unless {@code java.nio} is opened; the record's own Avro encoding needs no such flag, is compact, and
 * evolves by the .avsc rules our contracts already follow.
 */
public final class AvroSpecificSerializer<T extends SpecificRecordBase> extends TypeSerializer<T> {

    private static final long serialVersionUID = 1L;

    private final Class<T> recordClass;

    // Avro readers/writers are not thread-safe: duplicate() gives each thread its own
    private transient SpecificDatumWriter<T> writer;
    private transient SpecificDatumReader<T> reader;
    private transient BinaryEncoder encoder;

    public AvroSpecificSerializer(Class<T> recordClass) {
        this.recordClass = Objects.requireNonNull(recordClass, "recordClass");
    }

    public Class<T> recordClass() {
        return recordClass;
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<T> duplicate() {
        return new AvroSpecificSerializer<>(recordClass);
    }

    @Override
    public T createInstance() {
        return InstantiationUtil.instantiate(recordClass);
    }

    @Override
    public T copy(T from) {
        return SpecificData.get().deepCopy(from.getSchema(), from);
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
        if (writer == null) {
            T sample = InstantiationUtil.instantiate(recordClass);
            writer = new SpecificDatumWriter<>(sample.getSchema(), SpecificRecords.withCustomCoders(recordClass));
        }
        // direct: nothing is buffered past the record, so the view holds exactly this record's bytes
        encoder = EncoderFactory.get().directBinaryEncoder(new DataOutputViewStream(target), encoder);
        writer.write(record, encoder);
        encoder.flush();
    }

    @Override
    public T deserialize(DataInputView source) throws IOException {
        if (reader == null) {
            reader = new SpecificDatumReader<>(recordClass);
        }
        // direct: a buffering decoder would read ahead into the next record of the view
        return reader.read(null, DecoderFactory.get().directBinaryDecoder(new DataInputViewStream(source), null));
    }

    @Override
    public T deserialize(T reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof AvroSpecificSerializer<?> other && other.recordClass.equals(recordClass);
    }

    @Override
    public int hashCode() {
        return recordClass.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<T> snapshotConfiguration() {
        return new Snapshot<>(recordClass);
    }

    /**
     * Savepoint snapshot: the record class name. State written with an older version of the class stays readable
     * as long as the .avsc evolved compatibly (new fields with defaults), which the contract rules require.
     */
    public static final class Snapshot<T extends SpecificRecordBase> extends ClassNameSnapshot<T> {

        /** For reflective instantiation on restore. */
        public Snapshot() {}

        Snapshot(Class<T> recordClass) {
            super(recordClass);
        }

        @Override
        public TypeSerializer<T> restoreSerializer() {
            return new AvroSpecificSerializer<>(type());
        }
    }
}
