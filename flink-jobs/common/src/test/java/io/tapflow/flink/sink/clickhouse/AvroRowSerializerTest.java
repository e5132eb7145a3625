package io.tapflow.flink.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.schema.DeadLetter;
import io.tapflow.schema.FlowLog;
import io.tapflow.schema.LlmMetric;
import io.tapflow.schema.LlmRequest;
import io.tapflow.schema.LlmUsage;
import io.tapflow.schema.NetMetric;
import io.tapflow.schema.RedMetric;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.ServiceMapEdge;
import io.tapflow.schema.Span;
import io.tapflow.schema.Trace;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every contract record, filled and with its optional fields null, gives the same row bytes as a Jackson generator
 * writes ({@link JacksonRowReference}); {@link AvroRowSerializerITCase} inserts them into the real tables.
 */
class AvroRowSerializerTest {

    static Stream<Class<? extends SpecificRecordBase>> types() {
        return Stream.of(RequestLog.class, FlowLog.class, RedMetric.class, ServiceMapEdge.class, NetMetric.class,
                Span.class, Trace.class, LlmRequest.class, LlmMetric.class, LlmUsage.class, DeadLetter.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    <T extends SpecificRecordBase> void aFilledRecordsRowIsWhatJacksonWrote(Class<T> type) {
        T record = RecordSamples.filled(type);
        // strings that need escaping and multi-byte UTF-8, in every string field
        for (Schema.Field f : record.getSchema().getFields()) {
            if (record.get(f.pos()) instanceof CharSequence s) {
                record.put(f.pos(), s + " \"q\" \\ \n\t\u0001 é € \uD83D\uDE00");
            }
        }
        assertSameRow(record);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    <T extends SpecificRecordBase> void optionalFieldsLeftNullAndEmptyMapsAreWhatJacksonWrote(Class<T> type) {
        T record = RecordSamples.filled(type);
        for (Schema.Field f : record.getSchema().getFields()) {
            if (f.schema().isNullable()) {
                record.put(f.pos(), null);
            } else if (f.schema().getType() == Schema.Type.MAP) {
                Map<String, String> several = new LinkedHashMap<>();
                several.put("a", "1");
                several.put("b", null);
                record.put(f.pos(), several);
            }
        }
        assertSameRow(record);
    }

    private static <T extends SpecificRecordBase> void assertSameRow(T record) {
        // a trace's spans have their own table
        boolean trace = record instanceof Trace;
        byte[] expected = JacksonRowReference.row(record, trace ? Set.of("spans") : Set.of());
        byte[] got = (trace ? AvroRowSerializer.<T>excluding("spans") : AvroRowSerializer.<T>allFields())
                .serialize(record);
        assertThat(new String(got, StandardCharsets.UTF_8)).isEqualTo(new String(expected, StandardCharsets.UTF_8));
        assertThat(got).isEqualTo(expected);
    }
}
