package io.tapflow.flink.sink.clickhouse;

import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Writes a stream into one ClickHouse table, at least once: every row is inserted before the checkpoint that covers
 * it completes (in-flight inserts and rows still buffered are part of the checkpoint), and a row is sent again only
 * after an insert that failed or whose outcome is unknown, or when the job replays from a checkpoint. Exact counts
 * therefore come from the table: deterministic row ids and ReplacingMergeTree make repeats collapse (see the DDL in
 * schemas/clickhouse and how it says to query).
 *
 * <p>Each batch is one {@code INSERT … FORMAT JSONEachRow} over HTTP with client-v2, compression off (ClickHouse 18.16
 * and current servers alike). Transient failures (connection refused or reset, timeouts, TOO_MANY_PARTS, memory
 * limit …) are retried with bounded exponential backoff; errors that would repeat (unknown table or column, a row the
 * table cannot parse, authentication) fail the job with ClickHouse's message, and so does a transient failure that
 * outlasts the allowed attempts. The exact classification is documented on {@code ClickHouseErrorClassifier}.
 *
 * <p>Built only with {@link #builder()}:
 * <pre>{@code
 * ClickHouseSink<LlmUsage> sink = ClickHouseSink.<LlmUsage>builder()
 *         .setEndpoint("http://clickhouse:8123").setDatabase("tapflow").setTable("llm_usage_hourly")
 *         .setUsername("tapflow").setPassword(password)
 *         .setSerializer(new LlmUsageRowSerializer())
 *         .build();
 * stream.sinkTo(sink);
 * }</pre>
 *
 * <p>Metrics, per writer, in group {@code clickhouseTable.<db.table>}: {@code rowsWritten}, {@code batchesWritten},
 * {@code batchRetries}, {@code failedBatches}, {@code lastBatchLatencyMs} and the {@code batchLatencyMs} histogram.
 *
 * @param <T> the stream element, turned into a row by a {@link ClickHouseRowSerializer}
 */
public final class ClickHouseSink<T> extends AsyncSinkBase<T, ClickHouseRow> {

    private static final long serialVersionUID = 1L;

    private final ClickHouseSinkSettings settings;

    ClickHouseSink(ClickHouseRowSerializer<T> serializer, ClickHouseSinkSettings settings, int maxBatchRows,
            int maxInFlightRequests, int maxBufferedRows, long maxBatchBytes, long maxTimeInBufferMs,
            long requestTimeoutMs) {
        // one row may fill a whole batch, so the largest row allowed is the batch byte limit; an AsyncSinkWriter
        // request that outlives requestTimeoutMs is re-queued (failOnTimeout false), a last resort behind the
        // client's own socket timeout
        super(new ClickHouseRowConverter<>(serializer), maxBatchRows, maxInFlightRequests, maxBufferedRows,
                maxBatchBytes, maxTimeInBufferMs, maxBatchBytes, requestTimeoutMs, false);
        this.settings = settings;
    }

    /** The only way to make a sink; {@link ClickHouseSinkBuilder#build()} checks every setting. */
    public static <T> ClickHouseSinkBuilder<T> builder() {
        return new ClickHouseSinkBuilder<>();
    }

    @Override
    public StatefulSinkWriter<T, BufferedRequestState<ClickHouseRow>> createWriter(WriterInitContext context) {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<T, BufferedRequestState<ClickHouseRow>> restoreWriter(WriterInitContext context,
            Collection<BufferedRequestState<ClickHouseRow>> recoveredState) {
        AsyncSinkWriterConfiguration configuration = AsyncSinkWriterConfiguration.builder()
                .setMaxBatchSize(getMaxBatchSize())
                .setMaxBatchSizeInBytes(getMaxBatchSizeInBytes())
                .setMaxInFlightRequests(getMaxInFlightRequests())
                .setMaxBufferedRequests(getMaxBufferedRequests())
                .setMaxTimeInBufferMS(getMaxTimeInBufferMS())
                .setMaxRecordSizeInBytes(getMaxRecordSizeInBytes())
                .setRequestTimeoutMS(getRequestTimeoutMS())
                .setFailOnTimeout(getFailOnTimeout())
                .setRateLimitingStrategy(new InFlightRequestLimit(getMaxInFlightRequests(), getMaxBatchSize()))
                .build();
        return new ClickHouseSinkWriter<>(getElementConverter(), context, configuration, settings,
                getMaxInFlightRequests(), recoveredState);
    }

    @Override
    public SimpleVersionedSerializer<BufferedRequestState<ClickHouseRow>> getWriterStateSerializer() {
        return new ClickHouseRowStateSerializer();
    }

    @Override
    public String toString() {
        return "ClickHouseSink{" + settings + ", maxBatchRows=" + getMaxBatchSize() + ", maxInFlightRequests="
                + getMaxInFlightRequests() + "}";
    }
}
