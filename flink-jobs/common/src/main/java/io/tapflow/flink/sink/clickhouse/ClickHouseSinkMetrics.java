package io.tapflow.flink.sink.clickhouse;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * Per-table metrics of one writer, under the writer's group in {@code clickhouseTable.<db.table>}. Updated from the
 * insert threads (up to max in-flight requests at once), hence thread-safe counters and a guarded histogram.
 * Flink's own numRecordsOut counts rows handed to a request, retries included; {@code rowsWritten} counts rows
 * ClickHouse acknowledged.
 */
final class ClickHouseSinkMetrics {

    static final String GROUP = "clickhouseTable";
    static final String ROWS_WRITTEN = "rowsWritten";
    static final String BATCHES_WRITTEN = "batchesWritten";
    static final String RETRIES = "batchRetries";
    static final String FAILED_BATCHES = "failedBatches";
    static final String LAST_LATENCY = "lastBatchLatencyMs";
    static final String LATENCY = "batchLatencyMs";

    /** Latency samples kept for percentiles; 1024 doubles per writer. */
    private static final int LATENCY_WINDOW = 1024;

    private final Counter rowsWritten;
    private final Counter batchesWritten;
    private final Counter retries;
    private final Counter failedBatches;
    private final Histogram latency;
    private volatile long lastLatencyMs = -1;

    ClickHouseSinkMetrics(MetricGroup writerGroup, String qualifiedTable) {
        MetricGroup group = writerGroup.addGroup(GROUP, qualifiedTable);
        rowsWritten = group.counter(ROWS_WRITTEN, new ThreadSafeSimpleCounter());
        batchesWritten = group.counter(BATCHES_WRITTEN, new ThreadSafeSimpleCounter());
        retries = group.counter(RETRIES, new ThreadSafeSimpleCounter());
        failedBatches = group.counter(FAILED_BATCHES, new ThreadSafeSimpleCounter());
        group.gauge(LAST_LATENCY, () -> lastLatencyMs);
        latency = group.histogram(LATENCY, new DescriptiveStatisticsHistogram(LATENCY_WINDOW));
    }

    void written(int rows, long latencyMs) {
        rowsWritten.inc(rows);
        batchesWritten.inc();
        recordLatency(latencyMs);
    }

    void retried(long latencyMs) {
        retries.inc();
        recordLatency(latencyMs);
    }

    void failed(long latencyMs) {
        failedBatches.inc();
        recordLatency(latencyMs);
    }

    private void recordLatency(long latencyMs) {
        lastLatencyMs = latencyMs;
        synchronized (latency) {
            latency.update(latencyMs);
        }
    }
}
