package io.tapflow.flink.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.junit.jupiter.api.Test;

class NotAheadOfTheClockTest {

    private static final long NOW_MS = 1_795_266_000_000L;

    private final NotAheadOfTheClock<String> schema = new NotAheadOfTheClock<>(
            KafkaRecordSerializationSchema.<String>builder().setTopic("t")
                    .setValueSerializationSchema(new SimpleStringSchema()).build(), () -> NOW_MS);

    @Test
    void aTimestampAheadOfTheClockBecomesNow() {
        // an hour's usage emitted at the end of a bounded input: hour end + 10 min, 70 minutes ahead
        assertThat(schema.serialize("u", null, NOW_MS + 70 * 60_000L).timestamp()).isEqualTo(NOW_MS);
    }

    @Test
    void pastTimestampsAndNoneStayAsTheyAre() {
        assertThat(schema.serialize("r", null, NOW_MS - 5_000).timestamp()).isEqualTo(NOW_MS - 5_000);
        assertThat(schema.serialize("r", null, NOW_MS).timestamp()).isEqualTo(NOW_MS);
        assertThat(schema.serialize("r", null, null).timestamp()).isNull();
        assertThat(new String(schema.serialize("r", null, null).value(), StandardCharsets.UTF_8)).isEqualTo("r");
    }
}
