package io.tapflow.flink.sink.prometheus;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each batch the {@link AsyncSinkWriter} forms as one remote-write POST, retrying and splitting it as
 * {@link RemoteWriteOutcome} decides. The HTTP work runs on the client's threads; the result handler hands the
 * outcome back to the mailbox.
 */
class PrometheusRemoteWriteSinkWriter extends AsyncSinkWriter<PrometheusTimeSeries, PrometheusTimeSeries> {

    private static final Logger LOG = LoggerFactory.getLogger(PrometheusRemoteWriteSinkWriter.class);
    private static final int MAX_BODY_IN_MESSAGE = 1000;

    private final RemoteWriteSettings settings;
    private final HttpClient http;
    // Incremented from HTTP client threads, hence thread-safe counters.
    private final Counter seriesWritten;
    private final Counter samplesWritten;
    private final Counter requests;
    private final Counter retries;
    private final Counter failedRequests;
    private final Counter samplesDroppedAsDuplicate;
    private volatile long lastRequestLatencyMs = -1;

    PrometheusRemoteWriteSinkWriter(ElementConverter<PrometheusTimeSeries, PrometheusTimeSeries> elementConverter,
            WriterInitContext context, AsyncSinkWriterConfiguration configuration, RemoteWriteSettings settings,
            Collection<BufferedRequestState<PrometheusTimeSeries>> recoveredState) {
        super(elementConverter, context, configuration, recoveredState);
        this.settings = settings;
        // HTTP/1.1: Prometheus speaks no h2c, and an Upgrade attempt per connection only costs.
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(settings.httpTimeoutMs()))
                .build();
        MetricGroup metrics = context.metricGroup();
        seriesWritten = metrics.counter("numSeriesWritten", new ThreadSafeSimpleCounter());
        samplesWritten = metrics.counter("numSamplesWritten", new ThreadSafeSimpleCounter());
        requests = metrics.counter("numRequests", new ThreadSafeSimpleCounter());
        retries = metrics.counter("numRetries", new ThreadSafeSimpleCounter());
        failedRequests = metrics.counter("numFailedRequests", new ThreadSafeSimpleCounter());
        samplesDroppedAsDuplicate = metrics.counter("numSamplesDroppedAsDuplicate", new ThreadSafeSimpleCounter());
        metrics.gauge("lastRequestLatencyMs", () -> lastRequestLatencyMs);
    }

    @Override
    protected void submitRequestEntries(List<PrometheusTimeSeries> entries,
            ResultHandler<PrometheusTimeSeries> resultHandler) {
        Rejections rejections = new Rejections();
        write(List.copyOf(entries), rejections).whenComplete((ignored, failure) -> {
            rejections.log();
            if (failure == null) {
                resultHandler.complete();
            } else {
                Throwable cause = unwrap(failure);
                resultHandler.completeExceptionally(
                        cause instanceof Exception e ? e : new IOException("remote write failed", cause));
            }
        });
    }

    @Override
    protected long getSizeInBytes(PrometheusTimeSeries series) {
        return RemoteWriteRequestEncoder.encodedSize(series);
    }

    /**
     * Writes {@code batch}. When Prometheus rejects samples it already has (a replay), it has rolled the whole
     * request back, so the batch is halved and each half written in order — left before right keeps every series in
     * time order — until the rejected samples stand alone and are dropped.
     */
    private CompletableFuture<Void> write(List<PrometheusTimeSeries> batch, Rejections rejections) {
        byte[] body = RemoteWriteRequestEncoder.encodeCompressed(batch);
        return post(batch, body, 0).thenCompose(answer -> {
            if (answer.outcome() == RemoteWriteOutcome.WRITTEN) {
                return CompletableFuture.completedFuture(null);
            }
            if (sampleCount(batch) == 1) {
                samplesDroppedAsDuplicate.inc();
                rejections.add(batch.get(0), answer.text());
                return CompletableFuture.completedFuture(null);
            }
            List<List<PrometheusTimeSeries>> halves = split(batch);
            return write(halves.get(0), rejections).thenCompose(v -> write(halves.get(1), rejections));
        });
    }

    /** The final answer to one request: WRITTEN or REJECTED_SAMPLES, and what Prometheus said. */
    private record Answer(RemoteWriteOutcome outcome, String text) {
    }

    /** One request with its retries: completes with WRITTEN or REJECTED_SAMPLES, or fails. */
    private CompletableFuture<Answer> post(List<PrometheusTimeSeries> batch, byte[] body, int retry) {
        HttpRequest request = HttpRequest.newBuilder(settings.url())
                .timeout(Duration.ofMillis(settings.httpTimeoutMs()))
                .header("Content-Type", "application/x-protobuf")
                .header("Content-Encoding", "snappy")
                .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                .header("User-Agent", "tapflow-prometheus-sink")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        requests.inc();
        long start = System.nanoTime();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .handle((response, failure) -> {
                    lastRequestLatencyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    RemoteWriteOutcome outcome = failure == null
                            ? RemoteWriteOutcome.of(response.statusCode(), response.body())
                            : RemoteWriteOutcome.of(unwrap(failure));
                    String answer = failure == null
                            ? "HTTP " + response.statusCode() + ": " + truncate(response.body())
                            : unwrap(failure).toString();
                    switch (outcome) {
                        case WRITTEN -> {
                            seriesWritten.inc(batch.size());
                            samplesWritten.inc(sampleCount(batch));
                            return CompletableFuture.completedFuture(new Answer(outcome, answer));
                        }
                        case REJECTED_SAMPLES -> {
                            failedRequests.inc();
                            LOG.debug("Prometheus rejected samples of a {}-series request ({}); splitting it",
                                    batch.size(), answer);
                            return CompletableFuture.completedFuture(new Answer(outcome, answer));
                        }
                        case RETRY -> {
                            failedRequests.inc();
                            if (retry >= settings.maxRetries()) {
                                return CompletableFuture.<Answer>failedFuture(new IOException(
                                        "Prometheus remote write to " + settings.url() + " failed after "
                                                + (retry + 1) + " attempts; last answer " + answer, failure));
                            }
                            long delayMs = retryDelayMs(retry, response);
                            retries.inc();
                            LOG.warn("Remote write to {} failed ({}); retry {} of {} in {} ms", settings.url(), answer,
                                    retry + 1, settings.maxRetries(), delayMs);
                            return CompletableFuture.runAsync(() -> { },
                                            CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS))
                                    .thenCompose(v -> post(batch, body, retry + 1));
                        }
                        default -> {
                            failedRequests.inc();
                            return CompletableFuture.<Answer>failedFuture(new IOException(
                                    "Prometheus remote write to " + settings.url() + " refused " + batch.size()
                                            + " series (not retryable): " + answer, failure));
                        }
                    }
                })
                .thenCompose(future -> future);
    }

    /** A 429's Retry-After (whole seconds) when it gives one, else exponential backoff; never above the maximum. */
    private long retryDelayMs(int retry, HttpResponse<String> response) {
        if (response != null && response.statusCode() == 429) {
            String retryAfter = response.headers().firstValue("Retry-After").orElse("");
            try {
                return Math.min(Long.parseLong(retryAfter.trim()) * 1000, settings.maxBackoffMs());
            } catch (NumberFormatException e) {
                // an HTTP-date or nothing: fall back to our own backoff
            }
        }
        return settings.backoffMs(retry);
    }

    /** Halves a batch of several series by series, a single series by samples; order is kept. */
    static List<List<PrometheusTimeSeries>> split(List<PrometheusTimeSeries> batch) {
        if (batch.size() > 1) {
            int mid = batch.size() / 2;
            return List.of(batch.subList(0, mid), batch.subList(mid, batch.size()));
        }
        PrometheusTimeSeries only = batch.get(0);
        int mid = only.sampleCount() / 2;
        return List.of(List.of(only.slice(0, mid)), List.of(only.slice(mid, only.sampleCount())));
    }

    static int sampleCount(List<PrometheusTimeSeries> batch) {
        int samples = 0;
        for (PrometheusTimeSeries series : batch) {
            samples += series.sampleCount();
        }
        return samples;
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String truncate(String body) {
        String trimmed = body == null ? "" : body.trim();
        return trimmed.length() <= MAX_BODY_IN_MESSAGE ? trimmed : trimmed.substring(0, MAX_BODY_IN_MESSAGE) + "…";
    }

    /** Samples one submitted batch lost to rejections, logged once per batch rather than once per sample. */
    private static final class Rejections {
        private final List<String> examples = new ArrayList<>(3);
        private int count;
        private String firstReason;

        synchronized void add(PrometheusTimeSeries sample, String reason) {
            count++;
            if (firstReason == null) {
                firstReason = reason;
            }
            if (examples.size() < 3) {
                examples.add(sample.seriesKey() + " @ " + sample.timestampAt(0));
            }
        }

        synchronized void log() {
            if (count > 0) {
                LOG.warn("Dropped {} samples Prometheus rejected as out of order, duplicate or too old (expected when"
                        + " a restored job replays samples already written), e.g. {}; first answer {}", count,
                        examples, firstReason);
            }
        }
    }
}
