package io.tapflow.llm.metrics;

import io.tapflow.schema.LlmMetric;
import io.tapflow.schema.LlmRequest;
import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.ResponseStatus;
import java.io.Serializable;

/**
 * Everything one window of one key accumulates: counts, tokens and latencies of the requests that started in it,
 * and the in-flight intervals of every request that overlapped it (started in it or before).
 */
final class LlmWindowAccumulator implements Serializable {

    private static final long serialVersionUID = 1L;

    private String service;
    private String model;
    private ObservationPoint observationPoint;
    private String provider;
    private String operation;
    private long requests;
    private long errors;
    private long inputTokens;
    private long outputTokens;
    private final LatencyHistogram ttft = new LatencyHistogram(GenAiBuckets.TTFT_SECONDS);
    private final LatencyHistogram tpot = new LatencyHistogram(GenAiBuckets.TPOT_SECONDS);
    private final LatencyHistogram e2e = new LatencyHistogram(GenAiBuckets.E2E_SECONDS);
    private final ConcurrencyTrack concurrency = new ConcurrencyTrack();

    /** Labels of the key: every request of a key shares them, so the first one names the window. */
    private void label(LlmRequest r) {
        if (service == null) {
            service = r.getService();
            model = r.getModel();
            observationPoint = r.getObservationPoint();
            provider = r.getProvider();
            operation = r.getOperation();
        }
    }

    /** A request counted in this window (started or ended in it, see {@link LlmMetricsAggregator.CountAt}). */
    void addStarted(LlmRequest r) {
        label(r);
        requests++;
        if (r.getStatus() != ResponseStatus.OK) {
            errors++;
        }
        inputTokens += r.getInputTokens();
        outputTokens += r.getOutputTokens();
        ttft.add(r.getTtftUs());
        tpot.add(r.getTpotUs());
        e2e.add(r.getE2eUs());
    }

    /** A request that was in flight during {@code [fromUs, toUs)} of this window. */
    void addInFlight(LlmRequest r, long fromUs, long toUs) {
        label(r);
        concurrency.add(fromUs, toUs);
    }

    LlmWindow result(long windowStartMs, long windowSizeMs) {
        double[] c = concurrency.maxAndMean(windowStartMs * 1_000, (windowStartMs + windowSizeMs) * 1_000);
        LlmMetric metric = LlmMetric.newBuilder()
                .setWindowStartMs(windowStartMs)
                .setWindowSizeMs(windowSizeMs)
                .setService(service)
                .setModel(model)
                .setObservationPoint(observationPoint)
                .setRequests(requests)
                .setErrors(errors)
                .setConcurrencyMax((long) c[0])
                .setConcurrencyMean(c[1])
                .setTtftBucketCounts(ttft.bucketCounts())
                .setTtftCount(ttft.count())
                .setTtftSumUs(ttft.sumUs())
                .setTtftP50Us(ttft.quantile(0.50))
                .setTtftP95Us(ttft.quantile(0.95))
                .setTtftP99Us(ttft.quantile(0.99))
                .setTpotBucketCounts(tpot.bucketCounts())
                .setTpotCount(tpot.count())
                .setTpotSumUs(tpot.sumUs())
                .setTpotP50Us(tpot.quantile(0.50))
                .setTpotP95Us(tpot.quantile(0.95))
                .setTpotP99Us(tpot.quantile(0.99))
                .setE2eBucketCounts(e2e.bucketCounts())
                .setE2eCount(e2e.count())
                .setE2eSumUs(e2e.sumUs())
                .setE2eP50Us(e2e.quantile(0.50))
                .setE2eP95Us(e2e.quantile(0.95))
                .setE2eP99Us(e2e.quantile(0.99))
                .setInputTokens(inputTokens)
                .setOutputTokens(outputTokens)
                .setOutputTokensPerSecond(outputTokens / (windowSizeMs / 1000.0))
                .build();
        return new LlmWindow(metric, provider, operation);
    }
}
