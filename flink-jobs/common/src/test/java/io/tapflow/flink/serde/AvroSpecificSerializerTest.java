package io.tapflow.flink.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.flink.deadletter.DeadLetters;
import io.tapflow.schema.DeadLetter;
import io.tapflow.schema.DeadLetterReason;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class AvroSpecificSerializerTest {

    @Test
    void recordsRoundTripBackToBackWithoutReadingAhead() throws Exception {
        DeadLetter kafka = DeadLetters.builder("job", "stage").reason(DeadLetterReason.UNDECODABLE).message("m")
                .kafkaRecord("t", 1, 2, 3).originalBytes(new byte[] {1, 2, 3}).build();
        DeadLetter keyed = DeadLetters.builder("job", "stage").reason(DeadLetterReason.PARSE_ERROR).message("n")
                .inputKey("k", 4).build();
        TypeSerializer<DeadLetter> serializer = DeadLetters.TYPE_INFO.createSerializer(new SerializerConfigImpl());

        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(kafka, out);
        serializer.serialize(keyed, out);
        out.writeInt(0xCAFE);

        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        assertThat(serializer.deserialize(in)).isEqualTo(kafka);
        assertThat(serializer.deserialize(in)).isEqualTo(keyed);
        assertThat(in.readInt()).isEqualTo(0xCAFE);

        DeadLetter copy = serializer.copy(kafka);
        assertThat(copy).isEqualTo(kafka).isNotSameAs(kafka);
        assertThat(serializer.duplicate()).isEqualTo(serializer).isNotSameAs(serializer);
        assertThat(serializer.snapshotConfiguration().restoreSerializer()).isEqualTo(serializer);
    }

    @Test
    void snapshotRestoresTheRecordClassThroughItsBytes() throws Exception {
        TypeSerializer<DeadLetter> serializer = AvroSpecificTypeInfo.forRecord(DeadLetter.class)
                .createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());

        TypeSerializerSnapshot<DeadLetter> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());

        assertThat(restored.restoreSerializer()).isEqualTo(serializer);
        assertThat(serializer.snapshotConfiguration().resolveSchemaCompatibility(restored).isCompatibleAsIs())
                .isTrue();
    }

    @Test
    void bytesFieldsSurviveCopyWhichKryoCannotDoOnJava17() {
        TypeSerializer<DeadLetter> serializer = AvroSpecificTypeInfo.forRecord(DeadLetter.class)
                .createSerializer(new SerializerConfigImpl());
        DeadLetter original = DeadLetters.builder("job", "stage").reason(DeadLetterReason.UNDECODABLE)
                .message("m").kafkaRecord("t", 0, 1, 2).originalBytes(new byte[] {9, 8, 7}).build();

        DeadLetter copy = serializer.copy(original);
        original.getOriginalBytes().put(0, (byte) 0);

        assertThat(copy.getOriginalBytes().get(0)).isEqualTo((byte) 9);
    }
}
