package io.tapflow.llm.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tapflow.flink.serde.JavaSerializedTypeInfo;
import io.tapflow.llm.LlmTestBase;
import io.tapflow.schema.LlmMetric;
import io.tapflow.schema.LlmRequest;
import io.tapflow.schema.ResponseStatus;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** 10 s windows held 5 s after their end, keyed by (service, model, observation point). */
class LlmMetricsAggregatorTest extends LlmTestBase {

    private static final long SIZE = 10_000;
    private static final long HOLD = 5_000;

    private static KeyedOneInputStreamOperatorTestHarness<String, LlmRequest, LlmWindow> harness() throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new LlmMetricsAggregator(SIZE, HOLD)), LlmMetricKeys.metric(),
                Types.STRING);
        h.setup(JavaSerializedTypeInfo.forClass(LlmWindow.class).createSerializer(h.getExecutionConfig()
                .getSerializerConfig()));
        return h;
    }

    private static void process(KeyedOneInputStreamOperatorTestHarness<String, LlmRequest, LlmWindow> h,
            LlmRequest r) throws Exception {
        h.processElement(new StreamRecord<>(r, (r.getStartTimeUs() + r.getE2eUs()) / 1000));
    }

    private static List<LlmMetric> metrics(KeyedOneInputStreamOperatorTestHarness<String, LlmRequest, LlmWindow> h) {
        return h.extractOutputValues().stream().map(LlmWindow::metric).toList();
    }

    @Test
    void emitsCountsHistogramsQuantilesTokensAndConcurrencyAfterTheHold() throws Exception {
        try (var h = harness()) {
            h.open();
            // three streams over window [0, 10 s): A 1..5 s, B 2..4 s, C 8..13 s (in flight into the next window)
            process(h, builder(1_000_000, 4_000_000).setTtftUs(30_000L).setTpotUs(20_000L).build());
            process(h, builder(2_000_000, 2_000_000).setTtftUs(60_000L).setTpotUs(40_000L)
                    .setStatus(ResponseStatus.SERVER_ERROR).build());
            process(h, builder(8_000_000, 5_000_000).setTtftUs(2_000_000L).build());

            h.processWatermark(T0_MS + SIZE - 1 + HOLD - 1);
            assertThat(h.extractOutputValues()).isEmpty();
            h.processWatermark(T0_MS + SIZE - 1 + HOLD);
            List<LlmMetric> out = metrics(h);
            assertThat(out).hasSize(1);
            LlmMetric m = out.get(0);
            assertThat(m.getWindowStartMs()).isEqualTo(T0_MS);
            assertThat(m.getWindowSizeMs()).isEqualTo(SIZE);
            assertThat(m.getService()).isEqualTo(SERVICE);
            assertThat(m.getModel()).isEqualTo(MODEL);
            assertThat(m.getRequests()).isEqualTo(3);
            assertThat(m.getErrors()).isEqualTo(1);
            assertThat(m.getInputTokens()).isEqualTo(30);
            assertThat(m.getOutputTokens()).isEqualTo(60);
            assertThat(m.getOutputTokensPerSecond()).isEqualTo(6.0);
            // in flight: 1 during 1-2 s, 2 during 2-4 s, 1 during 4-5 s, 1 during 8-10 s: area 1+4+1+2 = 8 s
            assertThat(m.getConcurrencyMax()).isEqualTo(2);
            assertThat(m.getConcurrencyMean()).isCloseTo(0.8, within(1e-9));
            // TTFT 0.03 s -> le 0.04 (index 4), 0.06 -> le 0.06 (index 5: a bound is its own bucket), 2 -> le 2.5
            assertThat(m.getTtftBucketCounts()).hasSize(17);
            assertThat(m.getTtftBucketCounts().get(4)).isEqualTo(1);
            assertThat(m.getTtftBucketCounts().get(5)).isEqualTo(1);
            assertThat(m.getTtftBucketCounts().get(12)).isEqualTo(1);
            assertThat(m.getTtftCount()).isEqualTo(3);
            assertThat(m.getTtftSumUs()).isEqualTo(2_090_000);
            assertThat(m.getTtftP50Us()).isCloseTo(60_000, within(600.0));
            assertThat(m.getTtftP99Us()).isCloseTo(60_000, within(600.0)); // rank floor(0.99 * 2) = 1
            assertThat(m.getTpotBucketCounts()).hasSize(14);
            assertThat(m.getTpotCount()).isEqualTo(2);
            assertThat(m.getE2eBucketCounts()).hasSize(15);
            assertThat(m.getE2eCount()).isEqualTo(3);
            assertThat(m.getE2eSumUs()).isEqualTo(11_000_000);

            // the next window holds only C's tail: no request started there, one in flight for 3 of 10 s
            h.processWatermark(T0_MS + 2 * SIZE - 1 + HOLD);
            LlmMetric tail = metrics(h).get(1);
            assertThat(tail.getWindowStartMs()).isEqualTo(T0_MS + SIZE);
            assertThat(tail.getRequests()).isZero();
            assertThat(tail.getConcurrencyMax()).isEqualTo(1);
            assertThat(tail.getConcurrencyMean()).isCloseTo(0.3, within(1e-9));
            assertThat(tail.getTtftBucketCounts()).isEmpty();
            assertThat(tail.getTtftP50Us()).isNull();
        }
    }

    @Test
    void backToBackRequestsDoNotOverlap() throws Exception {
        try (var h = harness()) {
            h.open();
            process(h, request(0, 5_000_000));
            process(h, request(5_000_000, 5_000_000));
            h.processWatermark(T0_MS + SIZE - 1 + HOLD);
            LlmMetric m = metrics(h).get(0);
            assertThat(m.getConcurrencyMax()).isEqualTo(1);
            assertThat(m.getConcurrencyMean()).isCloseTo(1.0, within(1e-9));
        }
    }

    @Test
    void lateRequestsAreCountedNotFolded() throws Exception {
        try (var h = harness()) {
            h.open();
            process(h, request(1_000_000, 1_000));
            h.processWatermark(T0_MS + SIZE - 1 + HOLD);
            process(h, request(2_000_000, 1_000)); // its window fired
            h.processWatermark(T0_MS + 10 * SIZE);
            assertThat(metrics(h)).hasSize(1);
            assertThat(metrics(h).get(0).getRequests()).isEqualTo(1);
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void stateAndTimersAreGoneOnceEveryWindowFired() throws Exception {
        try (var h = harness()) {
            h.open();
            process(h, request(1_000_000, 25_000_000)); // spans three windows
            process(h, builder(3_000_000, 1_000).setModel("other").build());
            assertThat(h.numKeyedStateEntries()).isPositive();
            assertThat(h.numEventTimeTimers()).isEqualTo(4);
            h.processWatermark(T0_MS + 3 * SIZE - 1 + HOLD);
            assertThat(metrics(h)).hasSize(4);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void snapshotAndRestoreMidWindow() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            process(h, builder(1_000_000, 4_000_000).setTtftUs(30_000L).build());
            snapshot = h.snapshot(1, T0_MS + 5_000);
        }
        try (var restored = harness()) {
            restored.initializeState(snapshot);
            restored.open();
            process(restored, builder(2_000_000, 2_000_000).setTtftUs(60_000L).build());
            restored.processWatermark(T0_MS + SIZE - 1 + HOLD);
            LlmMetric m = metrics(restored).get(0);
            assertThat(m.getRequests()).isEqualTo(2);
            assertThat(m.getTtftCount()).isEqualTo(2);
            assertThat(m.getConcurrencyMax()).isEqualTo(2);
            assertThat(restored.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void countedAtTheEndRowsAreTimelyAndConcurrencyCoversOpenWindows() throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(
                new LlmMetricsAggregator(SIZE, 1_000, LlmMetricsAggregator.CountAt.END)), LlmMetricKeys.series(),
                Types.STRING);
        h.setup(JavaSerializedTypeInfo.forClass(LlmWindow.class).createSerializer(
                h.getExecutionConfig().getSerializerConfig()));
        try (h) {
            h.open();
            h.processWatermark(T0_MS + 5_000);
            // 2 s .. 25 s: counted in [20 s, 30 s); in flight in the three windows it overlaps, all still open
            process(h, builder(2_000_000, 23_000_000).setTtftUs(100_000L).build());
            process(h, request(21_000_000, 1_000_000));
            h.processWatermark(T0_MS + 3 * SIZE - 1 + 1_000);
            List<LlmMetric> out = metrics(h);
            assertThat(out).extracting(LlmMetric::getRequests).containsExactly(0L, 0L, 2L);
            assertThat(out).extracting(LlmMetric::getConcurrencyMax).containsExactly(1L, 1L, 2L);
            assertThat(out.get(0).getConcurrencyMean()).isCloseTo(0.8, within(1e-9));
            assertThat(out.get(2).getTtftCount()).isEqualTo(1);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }
}
