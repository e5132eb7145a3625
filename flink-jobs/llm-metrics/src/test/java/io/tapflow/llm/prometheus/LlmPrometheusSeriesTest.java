package io.tapflow.llm.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.flink.serde.JavaSerializedTypeInfo;
import io.tapflow.flink.sink.prometheus.PrometheusTimeSeries;
import io.tapflow.llm.LlmTestBase;
import io.tapflow.llm.metrics.LlmMetricKeys;
import io.tapflow.llm.metrics.LlmWindow;
import io.tapflow.schema.LlmMetric;
import io.tapflow.schema.ObservationPoint;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Cumulative Prometheus series from 10 s windows (emitted 30 s after their end), concurrency gauges back to 0 after a
 * quiet window, forgotten after 10 idle minutes.
 */
class LlmPrometheusSeriesTest extends LlmTestBase {

    private static final long SIZE = 10_000;
    private static final long HOLD = 30_000;
    private static final long IDLE = 600_000;

    private static KeyedOneInputStreamOperatorTestHarness<String, LlmWindow, PrometheusTimeSeries> harness()
            throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new LlmPrometheusSeries(SIZE, HOLD, IDLE)), LlmMetricKeys.seriesOfWindow(),
                Types.STRING);
        h.setup(JavaSerializedTypeInfo.forClass(PrometheusTimeSeries.class)
                .createSerializer(h.getExecutionConfig().getSerializerConfig()));
        return h;
    }

    /** A window with one TTFT sample in bucket {@code ttftBucket}, {@code out} output tokens, 1 request. */
    private static LlmWindow window(long startMs, int ttftBucket, long ttftUs, long out) {
        List<Long> ttft = new ArrayList<>(Collections.nCopies(17, 0L));
        ttft.set(ttftBucket, 1L);
        LlmMetric m = LlmMetric.newBuilder()
                .setWindowStartMs(startMs).setWindowSizeMs(SIZE).setService(SERVICE).setModel(MODEL)
                .setObservationPoint(ObservationPoint.SERVER_PROCESS)
                .setRequests(1).setErrors(0).setConcurrencyMax(3).setConcurrencyMean(1.5)
                .setTtftBucketCounts(ttft).setTtftCount(1).setTtftSumUs(ttftUs)
                .setTtftP50Us((double) ttftUs).setTtftP95Us((double) ttftUs).setTtftP99Us((double) ttftUs)
                .setTpotBucketCounts(List.of()).setTpotCount(0).setTpotSumUs(0)
                .setTpotP50Us(null).setTpotP95Us(null).setTpotP99Us(null)
                .setE2eBucketCounts(List.of()).setE2eCount(0).setE2eSumUs(0)
                .setE2eP50Us(null).setE2eP95Us(null).setE2eP99Us(null)
                .setInputTokens(5).setOutputTokens(out).setOutputTokensPerSecond(out / 10.0)
                .build();
        return new LlmWindow(m, "openai", "chat");
    }

    /** Latest value per series key. */
    private static Map<String, Double> latest(List<PrometheusTimeSeries> series) {
        return series.stream().collect(Collectors.toMap(PrometheusTimeSeries::seriesKey,
                s -> s.valueAt(s.sampleCount() - 1), (a, b) -> b));
    }

    private static String key(String name, String extra) {
        return name + "{" + (extra == null ? "" : extra + ",") + "model=\"" + MODEL
                + "\",observation_point=\"server_process\",operation=\"chat\",provider=\"openai\",service=\""
                + SERVICE + "\"}";
    }

    private static String bucket(String le) {
        return key(LlmPrometheusSeries.TTFT + "_bucket", "le=\"" + le + "\"");
    }

    @Test
    void countersAndHistogramsAccumulateAcrossWindows() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(new StreamRecord<>(window(T0_MS, 4, 30_000, 20), T0_MS + SIZE));
            h.processElement(new StreamRecord<>(window(T0_MS + SIZE, 12, 2_000_000, 10), T0_MS + 2 * SIZE));
            List<PrometheusTimeSeries> all = h.extractOutputValues();
            Map<String, Double> v = latest(all);
            // cumulative over le and over time: 0.03 s in le=0.04, 2 s in le=2.5
            assertThat(v.get(bucket("0.02"))).isEqualTo(0.0);
            assertThat(v.get(bucket("0.04"))).isEqualTo(1.0);
            assertThat(v.get(bucket("1.0"))).isEqualTo(1.0);
            assertThat(v.get(bucket("2.5"))).isEqualTo(2.0);
            assertThat(v.get(bucket("+Inf"))).isEqualTo(2.0);
            assertThat(v.get(key(LlmPrometheusSeries.TTFT + "_count", null))).isEqualTo(2.0);
            assertThat(v.get(key(LlmPrometheusSeries.TTFT + "_sum", null))).isEqualTo(2.03);
            assertThat(v.get(key(LlmPrometheusSeries.TPOT + "_count", null))).isEqualTo(0.0);
            assertThat(v.get(key(LlmPrometheusSeries.TOKENS, "gen_ai_token_type=\"output\""))).isEqualTo(30.0);
            assertThat(v.get(key(LlmPrometheusSeries.TOKENS, "gen_ai_token_type=\"input\""))).isEqualTo(10.0);
            assertThat(v.get(key(LlmPrometheusSeries.REQUESTS, null))).isEqualTo(2.0);
            assertThat(v.get(key(LlmPrometheusSeries.CONCURRENCY_MAX, null))).isEqualTo(3.0);
            // one sample per window at the window's end; 58 series per window
            assertThat(all).hasSize(2 * 58);
            assertThat(all.get(all.size() - 1).timestampAt(0)).isEqualTo(T0_MS + 2 * SIZE);
            // never a tenant or a request id in a label
            assertThat(all).allSatisfy(s -> assertThat(s.labels()).extracting(PrometheusTimeSeries.Label::name)
                    .isSubsetOf("__name__", "service", "model", "provider", "operation", "observation_point",
                            "le", "gen_ai_token_type"));
        }
    }

    @Test
    void windowsOutOfTimeOrderAreDropped() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(new StreamRecord<>(window(T0_MS + SIZE, 4, 30_000, 20), T0_MS + 2 * SIZE));
            h.processElement(new StreamRecord<>(window(T0_MS, 4, 30_000, 20), T0_MS + SIZE));
            assertThat(h.extractOutputValues()).hasSize(58);
        }
    }

    @Test
    void idleSeriesAreForgotten() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(new StreamRecord<>(window(T0_MS, 4, 30_000, 20), T0_MS + SIZE));
            h.processElement(new StreamRecord<>(window(T0_MS + SIZE, 4, 30_000, 20), T0_MS + 2 * SIZE));
            assertThat(h.numKeyedStateEntries()).isEqualTo(3);
            // the quiet window after the last one moves the last sample to its end (the 0 gauges)
            h.processWatermark(T0_MS + 3 * SIZE + IDLE - 1);
            assertThat(h.numKeyedStateEntries()).isEqualTo(3);
            h.processWatermark(T0_MS + 3 * SIZE + IDLE);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void concurrencyGaugesDropToZeroOnceWhenTheNextWindowDoesNotCome() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(new StreamRecord<>(window(T0_MS, 4, 30_000, 20), T0_MS + SIZE));
            h.processWatermark(T0_MS + 2 * SIZE - 1 + HOLD - 1);
            assertThat(h.extractOutputValues()).hasSize(58);
            // the window [T0 + SIZE, T0 + 2 SIZE) would have been emitted by now: nothing was in flight
            h.processWatermark(T0_MS + 2 * SIZE - 1 + HOLD);
            List<PrometheusTimeSeries> zeros = h.extractOutputValues().subList(58, h.extractOutputValues().size());
            assertThat(zeros).extracting(PrometheusTimeSeries::seriesKey).containsExactly(
                    key(LlmPrometheusSeries.CONCURRENCY_MAX, null), key(LlmPrometheusSeries.CONCURRENCY_MEAN, null));
            assertThat(zeros).allSatisfy(z -> {
                assertThat(z.sampleCount()).isEqualTo(1);
                assertThat(z.timestampAt(0)).isEqualTo(T0_MS + 2 * SIZE);
                assertThat(z.valueAt(0)).isZero();
            });
            // once: later quiet windows write nothing; the next window with traffic continues the totals
            h.processWatermark(T0_MS + 10 * SIZE);
            assertThat(h.extractOutputValues()).hasSize(60);
            h.processElement(new StreamRecord<>(window(T0_MS + 11 * SIZE, 4, 30_000, 20), T0_MS + 12 * SIZE));
            Map<String, Double> v = latest(h.extractOutputValues());
            assertThat(v.get(key(LlmPrometheusSeries.TOKENS, "gen_ai_token_type=\"output\""))).isEqualTo(40.0);
            assertThat(v.get(key(LlmPrometheusSeries.CONCURRENCY_MAX, null))).isEqualTo(3.0);
        }
    }

    @Test
    void endOfInputAfterTwoWindowsWritesTheZeroAfterTheSecond() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(new StreamRecord<>(window(T0_MS, 4, 30_000, 20), T0_MS + SIZE));
            h.processElement(new StreamRecord<>(window(T0_MS + SIZE, 4, 30_000, 20), T0_MS + 2 * SIZE));
            h.processWatermark(Long.MAX_VALUE);
            List<PrometheusTimeSeries> all = h.extractOutputValues();
            assertThat(all).hasSize(2 * 58 + 2);
            assertThat(all.get(all.size() - 1).timestampAt(0)).isEqualTo(T0_MS + 3 * SIZE);
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void aWindowThatComesInTimeLeavesTheGaugesAlone() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(new StreamRecord<>(window(T0_MS, 4, 30_000, 20), T0_MS + SIZE));
            h.processElement(new StreamRecord<>(window(T0_MS + SIZE, 4, 30_000, 20), T0_MS + 2 * SIZE));
            h.processWatermark(T0_MS + 2 * SIZE - 1 + HOLD);
            assertThat(h.extractOutputValues()).hasSize(2 * 58);
        }
    }

    @Test
    void restoredTotalsKeepGrowing() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            h.processElement(new StreamRecord<>(window(T0_MS, 4, 30_000, 20), T0_MS + SIZE));
            snapshot = h.snapshot(1, T0_MS + SIZE);
        }
        try (var restored = harness()) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement(new StreamRecord<>(window(T0_MS, 4, 30_000, 20), T0_MS + SIZE)); // replayed
            restored.processElement(new StreamRecord<>(window(T0_MS + SIZE, 4, 30_000, 20), T0_MS + 2 * SIZE));
            Map<String, Double> v = latest(restored.extractOutputValues());
            assertThat(restored.extractOutputValues()).hasSize(58);
            assertThat(v.get(key(LlmPrometheusSeries.TOKENS, "gen_ai_token_type=\"output\""))).isEqualTo(40.0);
            assertThat(v.get(bucket("0.04"))).isEqualTo(2.0);
            // the restored timers and labels: the gauges drop to 0 after the quiet window
            restored.processWatermark(T0_MS + 3 * SIZE - 1 + HOLD);
            assertThat(latest(restored.extractOutputValues()).get(key(LlmPrometheusSeries.CONCURRENCY_MAX, null)))
                    .isZero();
            assertThat(restored.extractOutputValues()).hasSize(60);
        }
    }
}
