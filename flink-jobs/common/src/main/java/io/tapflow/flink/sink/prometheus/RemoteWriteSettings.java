package io.tapflow.flink.sink.prometheus;

import io.tapflow.schema.retry.RetryPolicy;
import java.io.Serializable;
import java.net.URI;

/**
 * The HTTP side of the sink, fixed by {@link PrometheusRemoteWriteSinkBuilder}: where to POST, how long one POST may
 * take, and how retryable failures are retried (attempt {@code n} waits {@code min(initialBackoffMs * 2^n,
 * maxBackoffMs)}; a 429's Retry-After seconds are honoured up to {@code maxBackoffMs}).
 */
record RemoteWriteSettings(URI url, long httpTimeoutMs, int maxRetries, long initialBackoffMs, long maxBackoffMs)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    long backoffMs(int retry) {
        return RetryPolicy.backoffMs(initialBackoffMs, maxBackoffMs, retry + 1);
    }

    /** The longest one POST with all its retries can take; the writer's request timeout must exceed it. */
    long worstCaseMs() {
        long total = 0;
        for (int retry = 0; retry <= maxRetries; retry++) {
            total += httpTimeoutMs + (retry < maxRetries ? backoffMs(retry) : 0);
        }
        return total;
    }
}
