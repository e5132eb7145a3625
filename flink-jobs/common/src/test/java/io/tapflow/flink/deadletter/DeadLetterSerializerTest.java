package io.tapflow.flink.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.schema.DeadLetter;
import io.tapflow.schema.DeadLetterReason;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class DeadLetterSerializerTest {

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
}
