package io.tapflow.flink.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;
import org.junit.jupiter.api.Test;

/** The serializer contract as the sink enforces it, the insert body, and the checkpointed rows. */
class ClickHouseRowConverterTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ClickHouseRow convert(String line) {
        return new ClickHouseRowConverter<String>(s -> s == null ? null : utf8(s)).apply(line, null);
    }

    @Test
    void acceptsOneObjectOnOneLine() {
        ClickHouseRow row = convert("{\"id\":1,\"text\":\"a\\nb\"}");

        assertThat(new String(row.line(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":1,\"text\":\"a\\nb\"}");
        assertThat(row.failedAttempts()).isZero();
        assertThat(row.sizeInBytes()).isEqualTo(row.line().length + 1);
        assertThat(convert("  {\"id\":1} ").line()).isEqualTo(utf8("  {\"id\":1} "));
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> convert(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ClickHouseRowSerializer " + ClickHouseRowConverterTest.class.getName())
                .hasMessageContaining("returned null");
    }

    @Test
    void rejectsEmpty() {
        assertThatThrownBy(() -> convert(" ")).hasMessageContaining("returned an empty line");
    }

    @Test
    void rejectsARawLineBreakThatWouldSplitTheRow() {
        assertThatThrownBy(() -> convert("{\"id\":1}\n{\"id\":2}"))
                .hasMessageContaining("raw line break")
                .hasMessageContaining("{\"id\":1}\\n{\"id\":2}");
        assertThatThrownBy(() -> convert("{\"id\":1}\n")).hasMessageContaining("raw line break");
        assertThatThrownBy(() -> convert("{\"id\":1,\r\"x\":2}")).hasMessageContaining("raw line break");
    }

    @Test
    void rejectsWhatIsNotAJsonObject() {
        assertThatThrownBy(() -> convert("[1,2]")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> convert("1\t2")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> convert("{\"id\":1")).hasMessageContaining("not a JSON object");
    }

    @Test
    void showsOnlyTheStartOfALongBadLine() {
        String longLine = "[" + "x".repeat(10_000) + "]";

        assertThatThrownBy(() -> convert(longLine))
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(600).endsWith("…"));
    }

    @Test
    void bodyIsEveryLineFollowedByALineBreak() {
        byte[] body = ClickHouseRow.body(List.of(convert("{\"id\":1}"), convert("{\"id\":2}").failedOnce()));

        assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo("{\"id\":1}\n{\"id\":2}\n");
    }

    @Test
    void failedOnceCountsWithoutTouchingTheLine() {
        ClickHouseRow row = convert("{\"id\":1}");

        ClickHouseRow twice = row.failedOnce().failedOnce();

        assertThat(twice.failedAttempts()).isEqualTo(2);
        assertThat(twice.line()).isSameAs(row.line());
        assertThat(row.failedAttempts()).isZero();
    }

    @Test
    void bufferedRowsSurviveASnapshotWithAFreshRetryBudget() throws Exception {
        ClickHouseRow a = convert("{\"id\":1,\"s\":\"é\"}").failedOnce();
        ClickHouseRow b = convert("{\"id\":2}");
        BufferedRequestState<ClickHouseRow> state = new BufferedRequestState<>(List.of(
                new RequestEntryWrapper<>(a, a.sizeInBytes()), new RequestEntryWrapper<>(b, b.sizeInBytes())));
        ClickHouseRowStateSerializer serializer = new ClickHouseRowStateSerializer();

        BufferedRequestState<ClickHouseRow> restored =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(state));

        assertThat(restored.getBufferedRequestEntries()).hasSize(2);
        ClickHouseRow ra = restored.getBufferedRequestEntries().get(0).getRequestEntry();
        ClickHouseRow rb = restored.getBufferedRequestEntries().get(1).getRequestEntry();
        assertThat(ra.line()).isEqualTo(a.line());
        assertThat(rb.line()).isEqualTo(b.line());
        assertThat(ra.failedAttempts()).isZero();
        assertThat(restored.getBufferedRequestEntries().get(0).getSize()).isEqualTo(a.sizeInBytes());
    }
}
