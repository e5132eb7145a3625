package io.tapflow.flink.sink.prometheus;

import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Writes {@link PrometheusTimeSeries} to a Prometheus remote-write 1.0 receiver ({@code /api/v1/write} of a
 * Prometheus started with {@code --web.enable-remote-write-receiver}, or any compatible store): one snappy-compressed
 * protobuf WriteRequest per batch, at-least-once (series buffered at a checkpoint are in the checkpoint and re-sent
 * after a restore). Build it with {@link #builder()}.
 *
 * <p><b>Ordering.</b> Samples of one series must reach Prometheus in time order, so each series must be written by one
 * subtask: key the stream with {@link PrometheusSeriesKeySelector} before {@code sinkTo}. With more than one request
 * in flight per subtask, a retried request can land after a later one; keep
 * {@link PrometheusRemoteWriteSinkBuilder#setMaxInFlightRequests(int) maxInFlightRequests} at 1 unless the server
 * accepts out-of-order samples ({@code out_of_order_time_window}).
 *
 * <p><b>Failures.</b> 5xx, 429 and I/O errors are retried with exponential backoff up to a bounded number of
 * attempts, then fail the job (its restart strategy takes over). An answer rejecting samples as out of order,
 * duplicate or too old (400; Prometheus 2.42 says "too old sample" with 500) — what replaying already-written samples
 * after a restore produces — never fails the job: Prometheus rolled the whole request back, so it is halved until
 * the rejected samples stand alone; those are dropped and counted ({@code numSamplesDroppedAsDuplicate}), the rest
 * written. Any other 4xx fails the job with Prometheus' message. See {@link RemoteWriteOutcome}.
 *
 * <p><b>Metrics</b> (sink writer group): {@code numSeriesWritten}, {@code numSamplesWritten}, {@code numRequests}
 * (POSTs, retries included), {@code numRetries}, {@code numFailedRequests} (POSTs answered other than 2xx, or not at
 * all), {@code numSamplesDroppedAsDuplicate}, {@code lastRequestLatencyMs}.
 */
public final class PrometheusRemoteWriteSink extends AsyncSinkBase<PrometheusTimeSeries, PrometheusTimeSeries> {

    private static final long serialVersionUID = 1L;

    private final RemoteWriteSettings settings;

    PrometheusRemoteWriteSink(RemoteWriteSettings settings, int maxBatchSize, int maxInFlightRequests,
            int maxBufferedRequests, long maxBatchSizeInBytes, long maxTimeInBufferMs, long requestTimeoutMs) {
        super(new IdentityConverter(), maxBatchSize, maxInFlightRequests, maxBufferedRequests, maxBatchSizeInBytes,
                maxTimeInBufferMs, maxBatchSizeInBytes, requestTimeoutMs, true);
        this.settings = settings;
    }

    /** A builder with the defaults documented on its setters; only the URL is required. */
    public static PrometheusRemoteWriteSinkBuilder builder() {
        return new PrometheusRemoteWriteSinkBuilder();
    }

    @Override
    public SinkWriter<PrometheusTimeSeries> createWriter(WriterInitContext context) {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<PrometheusTimeSeries, BufferedRequestState<PrometheusTimeSeries>> restoreWriter(
            WriterInitContext context, Collection<BufferedRequestState<PrometheusTimeSeries>> recoveredState) {
        return new PrometheusRemoteWriteSinkWriter(getElementConverter(), context, writerConfiguration(), settings,
                recoveredState);
    }

    private AsyncSinkWriterConfiguration writerConfiguration() {
        return AsyncSinkWriterConfiguration.builder()
                .setMaxBatchSize(getMaxBatchSize())
                .setMaxBatchSizeInBytes(getMaxBatchSizeInBytes())
                .setMaxInFlightRequests(getMaxInFlightRequests())
                .setMaxBufferedRequests(getMaxBufferedRequests())
                .setMaxTimeInBufferMS(getMaxTimeInBufferMS())
                .setMaxRecordSizeInBytes(getMaxRecordSizeInBytes())
                .setRequestTimeoutMS(getRequestTimeoutMS())
                .setFailOnTimeout(getFailOnTimeout())
                .build();
    }

    @Override
    public SimpleVersionedSerializer<BufferedRequestState<PrometheusTimeSeries>> getWriterStateSerializer() {
        return new PrometheusTimeSeriesStateSerializer();
    }

    RemoteWriteSettings settings() {
        return settings;
    }

    /** Elements are already what is sent; the buffer holds them as they are. */
    private static final class IdentityConverter implements ElementConverter<PrometheusTimeSeries, PrometheusTimeSeries> {

        private static final long serialVersionUID = 1L;

        @Override
        public PrometheusTimeSeries apply(PrometheusTimeSeries element, SinkWriter.Context context) {
            return element;
        }
    }
}
