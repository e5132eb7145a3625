package io.tapflow.flink.deadletter;

import io.tapflow.schema.DeadLetter;
import java.io.IOException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.runtime.DataInputViewStream;
import org.apache.flink.api.java.typeutils.runtime.DataOutputViewStream;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Avro binary serializer of {@link DeadLetter} between operators. Kryo (Flink's fallback for Avro classes without
 * flink-avro) reflects into {@code ByteBuffer} internals for {@code original_bytes}, which Java 17 refuses unless
 * {@code java.nio} is opened; the record's own Avro encoding needs no such flag.
 */
final class DeadLetterSerializer extends TypeSerializer<DeadLetter> {

    private static final long serialVersionUID = 1L;

    // Avro readers/writers are not thread-safe: duplicate() gives each thread its own
    private transient SpecificDatumWriter<DeadLetter> writer;
    private transient SpecificDatumReader<DeadLetter> reader;
    private transient BinaryEncoder encoder;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<DeadLetter> duplicate() {
        return new DeadLetterSerializer();
    }

    @Override
    public DeadLetter createInstance() {
        return new DeadLetter();
    }

    @Override
    public DeadLetter copy(DeadLetter from) {
        return DeadLetter.newBuilder(from).build();
    }

    @Override
    public DeadLetter copy(DeadLetter from, DeadLetter reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(DeadLetter record, DataOutputView target) throws IOException {
        if (writer == null) {
            writer = new SpecificDatumWriter<>(DeadLetter.class);
        }
        // direct: nothing is buffered past the record, so the view holds exactly this record's bytes
        encoder = EncoderFactory.get().directBinaryEncoder(new DataOutputViewStream(target), encoder);
        writer.write(record, encoder);
        encoder.flush();
    }

    @Override
    public DeadLetter deserialize(DataInputView source) throws IOException {
        if (reader == null) {
            reader = new SpecificDatumReader<>(DeadLetter.class);
        }
        // direct: a buffering decoder would read ahead into the next record of the view
        return reader.read(null, DecoderFactory.get().directBinaryDecoder(new DataInputViewStream(source),
                null));
    }

    @Override
    public DeadLetter deserialize(DeadLetter reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof DeadLetterSerializer;
    }

    @Override
    public int hashCode() {
        return DeadLetterSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<DeadLetter> snapshotConfiguration() {
        return new DeadLetterSerializerSnapshot();
    }

    /** Snapshot for savepoints; the encoding follows DeadLetter.avsc, whose evolution rules keep it readable. */
    public static final class DeadLetterSerializerSnapshot extends SimpleTypeSerializerSnapshot<DeadLetter> {
        public DeadLetterSerializerSnapshot() {
            super(DeadLetterSerializer::new);
        }
    }
}
