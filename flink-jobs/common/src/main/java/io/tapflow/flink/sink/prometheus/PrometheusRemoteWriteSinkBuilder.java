package io.tapflow.flink.sink.prometheus;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Builds a {@link PrometheusRemoteWriteSink}; {@link #build()} checks every setting. Only
 * {@link #setUrl(String)} is required.
 *
 * <pre>{@code
 * stream.keyBy(new PrometheusSeriesKeySelector())
 *       .sinkTo(PrometheusRemoteWriteSink.builder().setUrl("http://prometheus:9090/api/v1/write").build());
 * }</pre>
 */
public final class PrometheusRemoteWriteSinkBuilder {

    /** Series (TimeSeries messages) per request; Prometheus' own sender sends up to 2000 samples. */
    public static final int DEFAULT_MAX_BATCH_SIZE = 500;
    /** Uncompressed WriteRequest bytes per request. */
    public static final long DEFAULT_MAX_BATCH_SIZE_IN_BYTES = 2L * 1024 * 1024;
    public static final int DEFAULT_MAX_IN_FLIGHT_REQUESTS = 1;
    public static final int DEFAULT_MAX_BUFFERED_REQUESTS = 10_000;
    public static final Duration DEFAULT_MAX_TIME_IN_BUFFER = Duration.ofSeconds(1);
    public static final int DEFAULT_MAX_RETRIES = 10;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);
    public static final Duration DEFAULT_HTTP_TIMEOUT = Duration.ofSeconds(30);

    private String url;
    private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
    private long maxBatchSizeInBytes = DEFAULT_MAX_BATCH_SIZE_IN_BYTES;
    private int maxInFlightRequests = DEFAULT_MAX_IN_FLIGHT_REQUESTS;
    private int maxBufferedRequests = DEFAULT_MAX_BUFFERED_REQUESTS;
    private Duration maxTimeInBuffer = DEFAULT_MAX_TIME_IN_BUFFER;
    private int maxRetries = DEFAULT_MAX_RETRIES;
    private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private Duration httpTimeout = DEFAULT_HTTP_TIMEOUT;

    PrometheusRemoteWriteSinkBuilder() {
    }

    /** The remote-write endpoint, e.g. {@code http://prometheus:9090/api/v1/write} (http or https). */
    public PrometheusRemoteWriteSinkBuilder setUrl(String url) {
        this.url = url;
        return this;
    }

    /** Most series per request (default {@value #DEFAULT_MAX_BATCH_SIZE}). */
    public PrometheusRemoteWriteSinkBuilder setMaxBatchSize(int maxBatchSize) {
        this.maxBatchSize = maxBatchSize;
        return this;
    }

    /** Most uncompressed bytes per request (default 2 MiB); a single larger series is refused. */
    public PrometheusRemoteWriteSinkBuilder setMaxBatchSizeInBytes(long maxBatchSizeInBytes) {
        this.maxBatchSizeInBytes = maxBatchSizeInBytes;
        return this;
    }

    /**
     * Concurrent requests per subtask (default 1). More than 1 can reorder a series' samples when a request is
     * retried; only raise it when the server accepts out-of-order samples.
     */
    public PrometheusRemoteWriteSinkBuilder setMaxInFlightRequests(int maxInFlightRequests) {
        this.maxInFlightRequests = maxInFlightRequests;
        return this;
    }

    /** Series buffered per subtask before the sink applies backpressure (default 10,000). */
    public PrometheusRemoteWriteSinkBuilder setMaxBufferedRequests(int maxBufferedRequests) {
        this.maxBufferedRequests = maxBufferedRequests;
        return this;
    }

    /** How long a series may wait for its batch to fill before it is sent anyway (default 1 s). */
    public PrometheusRemoteWriteSinkBuilder setMaxTimeInBuffer(Duration maxTimeInBuffer) {
        this.maxTimeInBuffer = maxTimeInBuffer;
        return this;
    }

    /** Retries of one request on 5xx, 429 or I/O errors before the job fails (default 10). */
    public PrometheusRemoteWriteSinkBuilder setMaxRetries(int maxRetries) {
        this.maxRetries = maxRetries;
        return this;
    }

    /** Backoff before the first retry, doubled per retry up to {@code maxBackoff} (defaults 100 ms and 5 s). */
    public PrometheusRemoteWriteSinkBuilder setBackoff(Duration initialBackoff, Duration maxBackoff) {
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        return this;
    }

    /** How long one POST may take, connect included (default 30 s); a timeout counts as a retryable failure. */
    public PrometheusRemoteWriteSinkBuilder setHttpTimeout(Duration httpTimeout) {
        this.httpTimeout = httpTimeout;
        return this;
    }

    /** Checks every setting and builds the sink. */
    public PrometheusRemoteWriteSink build() {
        URI uri = validUrl(url);
        positive(maxBatchSize, "maxBatchSize");
        positive(maxBatchSizeInBytes, "maxBatchSizeInBytes");
        positive(maxInFlightRequests, "maxInFlightRequests");
        if (maxBufferedRequests <= maxBatchSize) {
            throw new IllegalArgumentException("maxBufferedRequests (" + maxBufferedRequests
                    + ") must be larger than maxBatchSize (" + maxBatchSize + ")");
        }
        positive(durationMs(maxTimeInBuffer, "maxTimeInBuffer"), "maxTimeInBuffer");
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0, was " + maxRetries);
        }
        long initialMs = positive(durationMs(initialBackoff, "initialBackoff"), "initialBackoff");
        long maxMs = positive(durationMs(maxBackoff, "maxBackoff"), "maxBackoff");
        if (maxMs < initialMs) {
            throw new IllegalArgumentException("maxBackoff (" + maxBackoff + ") is below initialBackoff ("
                    + initialBackoff + ")");
        }
        long httpMs = positive(durationMs(httpTimeout, "httpTimeout"), "httpTimeout");
        RemoteWriteSettings settings = new RemoteWriteSettings(uri, httpMs, maxRetries, initialMs, maxMs);
        // Flink's own request timeout is only a safety net for a request that never completes: the writer bounds
        // every POST and its retries itself, and splitting a rejected request takes extra POSTs, hence the margin.
        long requestTimeoutMs = 4 * settings.worstCaseMs() + Duration.ofMinutes(10).toMillis();
        return new PrometheusRemoteWriteSink(settings, maxBatchSize, maxInFlightRequests, maxBufferedRequests,
                maxBatchSizeInBytes, maxTimeInBuffer.toMillis(), requestTimeoutMs);
    }

    private static URI validUrl(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("url is required (e.g. http://prometheus:9090/api/v1/write)");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("url '" + url + "' is not a URI: " + e.getMessage(), e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("url '" + url + "' must be http or https");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("url '" + url + "' has no host");
        }
        return uri;
    }

    private static long durationMs(Duration duration, String name) {
        return Objects.requireNonNull(duration, name).toMillis();
    }

    private static long positive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
        return value;
    }
}
