package io.tapflow.flink.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapflow.schema.DeadLetter;
import io.tapflow.schema.DeadLetterReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class DeadLettersTest {

    private static final long RECORD_TS = 1_767_225_600_123L;

    @Test
    void kafkaRecordIdIsTheDocumentedHashOfItsCoordinates() throws Exception {
        DeadLetter letter = DeadLetters.builder("flow-aggregation", "decode-socket-data")
                .reason(DeadLetterReason.UNDECODABLE)
                .message("bad magic byte 0x07")
                .kafkaRecord("tapflow.socket-data", 3, 12_345L, RECORD_TS)
                .originalBytes(new byte[] {7, 1, 2})
                .build();

        // recipe written out independently: 'K', then (int length, UTF-8) per string, int partition, long offset
        ByteBuffer expected = ByteBuffer.allocate(128);
        expected.put((byte) 'K');
        putString(expected, "flow-aggregation");
        putString(expected, "decode-socket-data");
        putString(expected, "tapflow.socket-data");
        expected.putInt(3).putLong(12_345L);
        byte[] digest = MessageDigest.getInstance("SHA-256")
                .digest(java.util.Arrays.copyOf(expected.array(), expected.position()));
        assertThat(letter.getDeadLetterId()).isEqualTo(HexFormat.of().formatHex(digest, 0, 16))
                .matches("[0-9a-f]{32}");

        assertThat(letter.getSourceTopic()).isEqualTo("tapflow.socket-data");
        assertThat(letter.getSourcePartition()).isEqualTo(3);
        assertThat(letter.getSourceOffset()).isEqualTo(12_345L);
        assertThat(letter.getTimestampMs()).isEqualTo(RECORD_TS);
        assertThat(letter.getJob()).isEqualTo("flow-aggregation");
        assertThat(letter.getStage()).isEqualTo("decode-socket-data");
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.UNDECODABLE);
        assertThat(letter.getErrorMessage()).isEqualTo("bad magic byte 0x07");
        assertThat(letter.getOriginalBytes()).isEqualTo(ByteBuffer.wrap(new byte[] {7, 1, 2}));
        assertThat(letter.getOriginalSize()).isEqualTo(3);
    }

    @Test
    void idDependsOnlyOnInputIdentity() {
        DeadLetter a = kafka("t", 0, 1).reason(DeadLetterReason.PARSE_ERROR).message("one").build();
        DeadLetter sameInputOtherError = kafka("t", 0, 1).reason(DeadLetterReason.OVERSIZED).message("two")
                .originalBytes(new byte[10]).build();
        assertThat(sameInputOtherError.getDeadLetterId()).isEqualTo(a.getDeadLetterId());

        assertThat(kafka("t", 0, 2).reason(DeadLetterReason.PARSE_ERROR).message("one").build().getDeadLetterId())
                .isNotEqualTo(a.getDeadLetterId());
        assertThat(kafka("t", 1, 1).reason(DeadLetterReason.PARSE_ERROR).message("one").build().getDeadLetterId())
                .isNotEqualTo(a.getDeadLetterId());
        // field boundaries are encoded: ("ab","c") and ("a","bc") must not collide
        DeadLetter ab = DeadLetters.builder("ab", "c").reason(DeadLetterReason.UNKNOWN).message("m")
                .inputKey("k", 1).build();
        DeadLetter a2 = DeadLetters.builder("a", "bc").reason(DeadLetterReason.UNKNOWN).message("m")
                .inputKey("k", 1).build();
        assertThat(ab.getDeadLetterId()).isNotEqualTo(a2.getDeadLetterId());
    }

    @Test
    void keyedInputUsesKeyAndEventTimeAndHasNoKafkaCoordinates() {
        DeadLetter letter = DeadLetters.builder("llm-metrics", "decode-sse")
                .reason(DeadLetterReason.PARSE_ERROR)
                .error(new IllegalArgumentException("no data: line\nsecond line"))
                .inputKey("agent-a/42", RECORD_TS)
                .build();
        assertThat(letter.getSourceTopic()).isNull();
        assertThat(letter.getSourcePartition()).isNull();
        assertThat(letter.getSourceOffset()).isNull();
        assertThat(letter.getTimestampMs()).isEqualTo(RECORD_TS);
        assertThat(letter.getErrorMessage()).isEqualTo("java.lang.IllegalArgumentException: no data: line");
        assertThat(letter.getOriginalBytes()).isNull();
        assertThat(letter.getOriginalSize()).isZero();

        DeadLetter later = DeadLetters.builder("llm-metrics", "decode-sse").reason(DeadLetterReason.PARSE_ERROR)
                .message("x").inputKey("agent-a/42", RECORD_TS + 1).build();
        assertThat(later.getDeadLetterId()).isNotEqualTo(letter.getDeadLetterId());
    }

    @Test
    void originalBytesAreACappedCopyWithTheFullSize() {
        byte[] payload = new byte[DeadLetters.DEFAULT_MAX_ORIGINAL_BYTES + 100];
        payload[0] = 1;
        DeadLetter letter = kafka("t", 0, 1).reason(DeadLetterReason.OVERSIZED).message("big")
                .originalBytes(payload).build();
        payload[0] = 2; // the caller reuses its buffer
        assertThat(letter.getOriginalBytes().remaining()).isEqualTo(DeadLetters.DEFAULT_MAX_ORIGINAL_BYTES);
        assertThat(letter.getOriginalBytes().get(0)).isEqualTo((byte) 1);
        assertThat(letter.getOriginalSize()).isEqualTo(payload.length);

        DeadLetter none = kafka("t", 0, 1).reason(DeadLetterReason.OVERSIZED).message("big")
                .originalBytes(payload).maxOriginalBytes(0).build();
        assertThat(none.getOriginalBytes()).isNull();
        assertThat(none.getOriginalSize()).isEqualTo(payload.length);
    }

    @Test
    void errorMessagesAreCappedAndIncompleteLettersRejected() {
        String longMessage = "x".repeat(5000);
        assertThat(kafka("t", 0, 1).reason(DeadLetterReason.UNKNOWN).message(longMessage).build().getErrorMessage())
                .hasSize(DeadLetters.MAX_ERROR_MESSAGE_CHARS);
        assertThat(DeadLetters.describe(new IllegalStateException())).isEqualTo("java.lang.IllegalStateException");
        assertThatThrownBy(() -> kafka("t", 0, 1).message("no reason").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("job/stage");
        assertThatThrownBy(() -> DeadLetters.builder("job", "stage").reason(DeadLetterReason.UNKNOWN).message("m")
                .build()).isInstanceOf(IllegalStateException.class);
    }

    private static DeadLetters.Builder kafka(String topic, int partition, long offset) {
        return DeadLetters.builder("job", "stage").kafkaRecord(topic, partition, offset, RECORD_TS);
    }

    private static void putString(ByteBuffer buf, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        buf.putInt(b.length).put(b);
    }
}
