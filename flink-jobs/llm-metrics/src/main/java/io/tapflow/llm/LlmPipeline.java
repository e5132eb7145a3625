package io.tapflow.llm;

import io.tapflow.flink.sink.prometheus.PrometheusTimeSeries;
import io.tapflow.llm.analysis.LlmAnalysisFunction;
import io.tapflow.llm.metrics.LlmMetricKeys;
import io.tapflow.llm.metrics.LlmMetricsAggregator;
import io.tapflow.llm.metrics.LlmWindow;
import io.tapflow.llm.prometheus.LlmPrometheusSeries;
import io.tapflow.llm.recognition.LlmExchange;
import io.tapflow.llm.recognition.LlmRequestAnalyzer;
import io.tapflow.llm.usage.UsageAggregator;
import io.tapflow.schema.LlmMetric;
import io.tapflow.schema.LlmRequest;
import io.tapflow.schema.LlmUsage;
import io.tapflow.schema.ObservationPoint;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The stages after the front end, wired: exchanges → {@link LlmAnalysisFunction} → requests, then per
 * (service, model, observation point) 1-minute {@link LlmMetric} rows (requests counted at their start, exact once
 * the hold has passed), per (tenant, model, hour) {@link LlmUsage} of the billed observation point, and per Prometheus label set the cumulative
 * series of {@link LlmPrometheusSeries} from 10 s windows that count requests at their end (timely). The job class connects the
 * front end's exchange stream (timestamps and watermarks assigned) and the sinks; tests connect bounded streams.
 */
public final class LlmPipeline {

    /**
     * @param hold             how long after a window or hour ends its rows wait for requests still in flight: at
     *                         least the front end's exchange timeout
     * @param prometheusWindow window of the Prometheus samples (10 s)
     * @param prometheusHold   how long after a Prometheus window ends it waits for out-of-order requests: requests
     *                         count there at their end, so samples are timely
     * @param usageRetention   how long after an hour's first emission late requests still update its usage
     * @param prometheusIdle   event time after which a label set without windows is forgotten
     * @param billedAt         the observation point whose requests make the usage: when the collector sees both
     *                         ends of an exchange (a monitored client calling a monitored server) each end is its
     *                         own request, and billing both would bill every token twice
     */
    public record Settings(Duration hold, Duration prometheusWindow, Duration prometheusHold, Duration usageRetention,
                           Duration prometheusIdle, ObservationPoint billedAt) {

        public static final Settings DEFAULTS = new Settings(Duration.ofMinutes(10), Duration.ofSeconds(10),
                Duration.ofSeconds(30), Duration.ofHours(2), Duration.ofMinutes(30), ObservationPoint.SERVER_PROCESS);

        public Settings {
            Objects.requireNonNull(hold, "hold");
            Objects.requireNonNull(prometheusWindow, "prometheusWindow");
            Objects.requireNonNull(prometheusHold, "prometheusHold");
            Objects.requireNonNull(usageRetention, "usageRetention");
            Objects.requireNonNull(prometheusIdle, "prometheusIdle");
            Objects.requireNonNull(billedAt, "billedAt");
        }
    }

    /** The outputs: requests (llm_requests, tapflow.llm.requests), rows, usage, Prometheus series. */
    public record Streams(DataStream<LlmRequest> requests, DataStream<LlmMetric> metrics1m,
                          DataStream<LlmUsage> usage, DataStream<PrometheusTimeSeries> prometheus) {
    }

    private LlmPipeline() {
    }

    public static Streams build(DataStream<LlmExchange> exchanges, LlmRequestAnalyzer analyzer, Settings s) {
        long hold = s.hold().toMillis();
        DataStream<LlmRequest> requests = exchanges
                .process(new LlmAnalysisFunction(analyzer), LlmTypes.REQUEST).name("llm-analysis").uid("llm-analysis");

        DataStream<LlmMetric> metrics1m = requests
                .keyBy(LlmMetricKeys.metric(), Types.STRING)
                .process(new LlmMetricsAggregator(Duration.ofMinutes(1).toMillis(), hold), LlmTypes.WINDOW)
                .name("llm-metrics-1m").uid("llm-metrics-1m")
                .map(LlmWindow::metric, LlmTypes.METRIC).name("llm-metric-rows").uid("llm-metric-rows");

        ObservationPoint billedAt = s.billedAt();
        DataStream<LlmUsage> usage = requests
                .filter(r -> r.getObservationPoint() == billedAt).name("llm-billed-requests")
                .uid("llm-billed-requests")
                .keyBy(UsageAggregator.key(), Types.STRING)
                .process(new UsageAggregator(hold, s.usageRetention().toMillis()), LlmTypes.USAGE)
                .name("llm-usage-hourly").uid("llm-usage-hourly");

        DataStream<PrometheusTimeSeries> prometheus = requests
                .keyBy(LlmMetricKeys.series(), Types.STRING)
                .process(new LlmMetricsAggregator(s.prometheusWindow().toMillis(), s.prometheusHold().toMillis(),
                        LlmMetricsAggregator.CountAt.END), LlmTypes.WINDOW)
                .name("llm-prometheus-windows").uid("llm-prometheus-windows")
                .keyBy(LlmMetricKeys.seriesOfWindow(), Types.STRING)
                .process(new LlmPrometheusSeries(s.prometheusWindow().toMillis(), s.prometheusHold().toMillis(),
                        s.prometheusIdle().toMillis()), LlmTypes.SERIES)
                .name("llm-prometheus-series").uid("llm-prometheus-series");

        return new Streams(requests, metrics1m, usage, prometheus);
    }
}
