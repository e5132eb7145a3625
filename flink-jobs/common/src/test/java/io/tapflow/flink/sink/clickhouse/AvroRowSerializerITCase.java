package io.tapflow.flink.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.clickhouse.client.api.Client;
import com.clickhouse.data.ClickHouseFormat;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tapflow.localstack.clickhouse.ClickHouseServer;
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
import io.tapflow.schema.clickhouse.ChecksumPolicy;
import io.tapflow.schema.clickhouse.ClickHouseMigrator;
import io.tapflow.schema.clickhouse.MigrationSource;
import java.io.ByteArrayInputStream;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every contract record the jobs write to ClickHouse, serialized by {@link AvroRowSerializer}, inserts into its real
 * table (as the migrator creates it on Debian's ClickHouse 18.16) and reads back with the values it carried: the
 * mapping rules of the serializer and the "Differences from the Avro record" of each DDL agree.
 */
class AvroRowSerializerITCase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DB = "avro_rows_it";

    private static ClickHouseServer server;
    private static Client client;

    @BeforeAll
    static void migrate() {
        server = ClickHouseServer.shared();
        server.query("DROP DATABASE IF EXISTS " + DB);
        try (Client admin = server.newClient("default")) {
            new ClickHouseMigrator(admin, DB, null, ChecksumPolicy.FAIL).migrate(MigrationSource.tapflowDdl());
        } catch (Exception e) {
            throw new IllegalStateException("migrating " + DB, e);
        }
        client = server.newClient(DB);
    }

    @AfterAll
    static void closeClient() throws Exception {
        client.close();
    }

    static Stream<Arguments> tables() {
        return Stream.of(
                Arguments.of("l7_request_log", RecordSamples.filled(RequestLog.class), AvroRowSerializer.allFields()),
                Arguments.of("l4_flow_log", RecordSamples.filled(FlowLog.class), AvroRowSerializer.allFields()),
                Arguments.of("app_metrics_1s", RecordSamples.filled(RedMetric.class), AvroRowSerializer.allFields()),
                Arguments.of("app_metrics_1m", RecordSamples.filled(RedMetric.class), AvroRowSerializer.allFields()),
                Arguments.of("app_map_1m", RecordSamples.filled(ServiceMapEdge.class), AvroRowSerializer.allFields()),
                Arguments.of("service_map_1m", RecordSamples.filled(ServiceMapEdge.class),
                        AvroRowSerializer.allFields()),
                Arguments.of("net_metrics_1m", RecordSamples.filled(NetMetric.class), AvroRowSerializer.allFields()),
                Arguments.of("spans", RecordSamples.filled(Span.class), AvroRowSerializer.allFields()),
                Arguments.of("traces", RecordSamples.filled(Trace.class), AvroRowSerializer.excluding("spans")),
                Arguments.of("llm_requests", RecordSamples.filled(LlmRequest.class), AvroRowSerializer.allFields()),
                Arguments.of("llm_metrics_1m", RecordSamples.filled(LlmMetric.class), AvroRowSerializer.allFields()),
                Arguments.of("llm_usage_hourly", RecordSamples.filled(LlmUsage.class), AvroRowSerializer.allFields()),
                Arguments.of("dead_letters", RecordSamples.filled(DeadLetter.class), AvroRowSerializer.allFields()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tables")
    <T extends SpecificRecordBase> void recordRoundTripsThroughItsTable(String table, T record,
            AvroRowSerializer<T> serializer) throws Exception {
        byte[] row = new ClickHouseRowConverter<>(serializer).checked(serializer.serialize(record));
        JsonNode written = JSON.readTree(row);

        client.insert(table, new ByteArrayInputStream((new String(row) + "\n").getBytes()), ClickHouseFormat.JSONEachRow)
                .get(60, TimeUnit.SECONDS).close();

        StringBuilder columns = new StringBuilder();
        for (Iterator<String> names = written.fieldNames(); names.hasNext(); ) {
            columns.append(columns.length() == 0 ? "" : ", ").append('`').append(names.next()).append('`');
        }
        String out = server.query("SELECT " + columns + " FROM " + DB + ".`" + table + "` FORMAT JSONEachRow");
        assertThat(out.lines()).as("rows in %s", table).hasSize(1);
        JsonNode back = JSON.readTree(out.lines().findFirst().orElseThrow());
        for (Iterator<Map.Entry<String, JsonNode>> it = written.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> column = it.next();
            assertThat(RecordSamples.sameValue(column.getValue(), back.get(column.getKey())))
                    .as("%s.%s: wrote %s, read %s", table, column.getKey(), column.getValue(),
                            back.get(column.getKey()))
                    .isTrue();
        }
    }
}
