package io.tapflow.flink.sink.prometheus;

import io.tapflow.flink.testing.TcpForwarder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tapflow.localstack.process.FreePorts;
import io.tapflow.localstack.prometheus.PrometheusServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sink in a MiniCluster job against a real Prometheus (Debian's 2.42, remote-write receiver on,
 * out_of_order_time_window 2h), checked with PromQL — never by reading back what the sink thinks it sent.
 */
class PrometheusRemoteWriteSinkITCase {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int STEPS = 10;
    private static final long STEP_MS = 30_000;
    // Histogram buckets and how much each cumulative bucket grows per step: 2 observations ≤ 0.1 s, 5 ≤ 0.25 s, ...
    private static final String[] LE = {"0.1", "0.25", "0.5", "1", "+Inf"};
    private static final double[] BUCKET_STEP = {2, 5, 8, 10, 10};
    private static final double SUM_STEP = 6.3;

    private static PrometheusServer prometheus;
    private static MiniCluster cluster;

    /**
     * One MiniCluster for the class, as MiniClusterExtension would give — that extension needs JUnit 4's
     * ExternalResource (so does TestStreamEnvironment), which this module's pom excludes; jobs are submitted as job
     * graphs. A cluster per job (a local environment) would not do:
     * its shutdown closes the reporter, which forgets the sink counters the tests read.
     */
    @BeforeAll
    static void start() throws Exception {
        prometheus = PrometheusServer.shared();
        cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(2)
                .build());
        cluster.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void histogramCounterAndGaugeAreQueryableWithPromQL() throws Exception {
        long first = firstTimestamp();
        List<PrometheusTimeSeries> elements = histogramAndCounter("it_hist", first);

        JobExecutionResult result = cluster.executeJobBlocking(
                job(elements, sink(prometheus.remoteWriteUrl()).build(), 2));

        double t = (first + (STEPS - 1) * STEP_MS) / 1000.0;
        double p95 = scalar("histogram_quantile(0.95, sum by (le) (rate(it_hist_seconds_bucket[5m] @ %s)))", t);
        // rate() extrapolates every bucket by the same factor (same timestamps), so the quantile is that of one step
        assertThat(p95).isCloseTo(histogramQuantile(0.95, BUCKET_STEP), within(1e-9));
        assertThat(p95).isCloseTo(0.875, within(1e-9));
        assertThat(scalar("rate(it_hist_seconds_sum[5m] @ %s) / rate(it_hist_seconds_count[5m] @ %s)", t, t))
                .isCloseTo(SUM_STEP / BUCKET_STEP[4], within(1e-9));
        assertThat(scalar("it_hist_requests_total{service=\"checkout\"} @ %s", t)).isEqualTo(7.0 * STEPS);
        assertThat(scalar("it_hist_concurrency{service=\"checkout\"} @ %s", t)).isEqualTo((STEPS - 1) % 3);
        assertThat(samplesPerSeries("it_hist", t)).as("every series has all its samples").hasSize(LE.length + 4)
                .allSatisfy((series, samples) -> assertThat(samples).isEqualTo(STEPS));
        assertThat(metric(result.getJobID(), "numSamplesWritten")).isEqualTo(elements.size());
        assertThat(metric(result.getJobID(), "numSamplesDroppedAsDuplicate")).isZero();
        assertThat(metric(result.getJobID(), "numRetries")).isZero();
    }

    @Test
    void waitsForAPrometheusThatIsNotUpYet() throws Exception {
        int port = FreePorts.find();
        long first = firstTimestamp();
        List<PrometheusTimeSeries> elements = histogramAndCounter("it_retry", first);
        PrometheusRemoteWriteSink sink = sink("http://127.0.0.1:" + port + "/api/v1/write")
                .setMaxRetries(40).setBackoff(Duration.ofMillis(50), Duration.ofMillis(400)).build();

        JobGraph graph = job(elements, sink, 1);
        JobID jobId = cluster.submitJob(graph).get().getJobID();
        // nothing listens on the port yet: wait until the sink has retried, then put Prometheus behind it
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (metric(jobId, "numRetries") < 3 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(metric(jobId, "numRetries")).isGreaterThanOrEqualTo(3);
        assertThat(cluster.getJobStatus(jobId).get()).as("job still waiting, not failed").isEqualTo(JobStatus.RUNNING);
        try (TcpForwarder relay = new TcpForwarder(port, prometheus.port())) {
            JobResult result = cluster.requestJobResult(jobId).get(60, TimeUnit.SECONDS);
            assertThat(result.getSerializedThrowable()).isEmpty();
            assertThat(result.isSuccess()).isTrue();
        }

        double t = (first + (STEPS - 1) * STEP_MS) / 1000.0;
        assertThat(samplesPerSeries("it_retry", t)).hasSize(LE.length + 4)
                .allSatisfy((series, samples) -> assertThat(samples).isEqualTo(STEPS));
        assertThat(scalar("it_retry_requests_total{service=\"checkout\"} @ %s", t)).isEqualTo(7.0 * STEPS);
        assertThat(metric(jobId, "numFailedRequests")).isGreaterThanOrEqualTo(3);
        assertThat(metric(jobId, "numSamplesWritten")).isEqualTo(elements.size());
    }

    @Test
    void replayedSamplesDoNotFailTheJob() throws Exception {
        long first = firstTimestamp();
        long last = first + (STEPS - 1) * STEP_MS;
        List<PrometheusTimeSeries> written = histogramAndCounter("it_replay", first);
        cluster.executeJobBlocking(job(written, sink(prometheus.remoteWriteUrl()).build(), 1));

        // The second attempt re-sends everything in ONE request (as after a restore from an older checkpoint), with:
        // the counter's last sample recomputed to another value (→ 400 "duplicate sample for timestamp"), a sample
        // older than the out-of-order window (→ 400 too old / out of bounds), and a series never written before.
        List<PrometheusTimeSeries> replay = new ArrayList<>();
        for (PrometheusTimeSeries s : written) {
            boolean lastCounter = s.metricName().equals("it_replay_requests_total") && s.timestampAt(0) == last;
            replay.add(lastCounter ? one("it_replay_requests_total", "checkout", last, -1) : s);
        }
        replay.add(one("it_replay_requests_total", "ancient", first - Duration.ofHours(3).toMillis(), 1));
        for (int i = 0; i < STEPS; i++) {
            replay.add(one("it_replay_fresh_total", "checkout", first + i * STEP_MS, i + 1));
        }
        PrometheusRemoteWriteSink oneRequest = sink(prometheus.remoteWriteUrl())
                .setMaxBatchSize(replay.size()).setMaxBufferedRequests(replay.size() + 1)
                .setMaxTimeInBuffer(Duration.ofMinutes(1)).build();

        JobExecutionResult result = cluster.executeJobBlocking(job(replay, oneRequest, 1));

        double t = last / 1000.0;
        assertThat(scalar("it_replay_requests_total{service=\"checkout\"} @ %s", t))
                .as("Prometheus keeps the first value").isEqualTo(7.0 * STEPS);
        assertThat(scalar("count_over_time(it_replay_fresh_total[5m] @ %s)", t))
                .as("the new series in the rejected request is written").isEqualTo(STEPS);
        assertThat(scalar("it_replay_fresh_total @ %s", t)).isEqualTo(STEPS);
        assertThat(scalar("count_over_time(it_replay_seconds_count[5m] @ %s)", t))
                .as("identical replayed samples are stored once").isEqualTo(STEPS);
        assertThat(query("it_replay_requests_total{service=\"ancient\"}[5m] @ %s",
                (first - Duration.ofHours(3).toMillis()) / 1000.0 + 1)).isEmpty();
        assertThat(metric(result.getJobID(), "numSamplesDroppedAsDuplicate")).isEqualTo(2);
        assertThat(metric(result.getJobID(), "numSamplesWritten")).isEqualTo(replay.size() - 2);
    }

    // ---- fixtures ----

    private static PrometheusRemoteWriteSinkBuilder sink(String url) {
        return PrometheusRemoteWriteSink.builder().setUrl(url).setMaxBatchSize(20).setMaxBufferedRequests(1000)
                .setMaxTimeInBuffer(Duration.ofMillis(200)).setHttpTimeout(Duration.ofSeconds(5));
    }

    private static JobGraph job(List<PrometheusTimeSeries> elements, PrometheusRemoteWriteSink sink,
            int sinkParallelism) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(sinkParallelism);
        env.fromData(elements).keyBy(new PrometheusSeriesKeySelector()).sinkTo(sink);
        return env.getStreamGraph().getJobGraph();
    }

    // Whole seconds, recent enough for the TSDB head (and inside its 2 h out-of-order window), fully in the past.
    private static long firstTimestamp() {
        return (System.currentTimeMillis() / 1000 - 600) * 1000;
    }

    /**
     * One element per series and step, as a metrics job emits them: {prefix}_seconds_bucket{le} / _sum / _count of a
     * histogram, a counter {prefix}_requests_total growing by 7 per step, a gauge {prefix}_concurrency.
     */
    private static List<PrometheusTimeSeries> histogramAndCounter(String prefix, long first) {
        List<PrometheusTimeSeries> out = new ArrayList<>();
        for (int i = 0; i < STEPS; i++) {
            long ts = first + i * STEP_MS;
            int n = i + 1;
            for (int b = 0; b < LE.length; b++) {
                out.add(PrometheusTimeSeries.builder(prefix + "_seconds_bucket").label("service", "checkout")
                        .label("le", LE[b]).sample(ts, BUCKET_STEP[b] * n).build());
            }
            out.add(one(prefix + "_seconds_sum", "checkout", ts, SUM_STEP * n));
            out.add(one(prefix + "_seconds_count", "checkout", ts, BUCKET_STEP[LE.length - 1] * n));
            out.add(one(prefix + "_requests_total", "checkout", ts, 7.0 * n));
            out.add(one(prefix + "_concurrency", "checkout", ts, i % 3));
        }
        return out;
    }

    private static PrometheusTimeSeries one(String name, String service, long ts, double value) {
        return PrometheusTimeSeries.builder(name).label("service", service).sample(ts, value).build();
    }

    /** histogram_quantile's rule: linear interpolation inside the bucket holding rank q·total, lower bound 0. */
    private static double histogramQuantile(double q, double[] cumulative) {
        double rank = q * cumulative[cumulative.length - 1];
        int b = 0;
        while (cumulative[b] < rank) {
            b++;
        }
        if (b == cumulative.length - 1) {
            return Double.parseDouble(LE[b - 1]);
        }
        double lower = b == 0 ? 0 : Double.parseDouble(LE[b - 1]);
        double below = b == 0 ? 0 : cumulative[b - 1];
        double upper = Double.parseDouble(LE[b]);
        return lower + (upper - lower) * (rank - below) / (cumulative[b] - below);
    }

    private static JsonNode query(String promql, Object... args) throws Exception {
        String q = String.format(Locale.ROOT, promql.replace("%s", "%.3f"), args);
        return JSON.readTree(prometheus.query(q)).path("data").path("result");
    }

    private static double scalar(String promql, Object... args) throws Exception {
        JsonNode result = query(promql, args);
        assertThat(result).as("one result for %s", String.format(Locale.ROOT, promql.replace("%s", "%.3f"), args))
                .hasSize(1);
        return result.get(0).path("value").get(1).asDouble();
    }

    /** Stored samples per series of the metrics named {prefix}_*, in the 5 minutes up to {@code t}. */
    private static Map<String, Integer> samplesPerSeries(String prefix, double t) throws Exception {
        Map<String, Integer> counts = new TreeMap<>();
        for (JsonNode series : query("{__name__=~\"" + prefix + "_.*\"}[5m] @ %s", t)) {
            counts.put(series.path("metric").toString(), series.path("values").size());
        }
        return counts;
    }

    /** A sink counter summed over the job's subtasks. */
    private static long metric(JobID job, String name) {
        return REPORTER.findMetrics(job, ".*\\." + name).values().stream()
                .mapToLong(m -> ((Counter) m).getCount()).sum();
    }
}
