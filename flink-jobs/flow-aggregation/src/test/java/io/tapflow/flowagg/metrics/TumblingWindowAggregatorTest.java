package io.tapflow.flowagg.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.datadoghq.sketch.ddsketch.DDSketch;
import io.tapflow.flink.serde.AvroSpecificTypeInfo;
import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.RedMetric;
import io.tapflow.schema.ResponseStatus;
import io.tapflow.schema.ServiceMapEdge;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/** The window function with the RED and service-map aggregations, in 1 s windows. */
class TumblingWindowAggregatorTest extends MetricsTestBase {

    private static final OutputTag<RequestSample> LATE = new OutputTag<>("late", RequestSampleSerializer.TYPE_INFO);

    private final Map<String, Counter> counters = new HashMap<>();

    @Test
    void emitsOneRowPerKeyAndWindowWhenTheWatermarkPassesItsEnd() throws Exception {
        try (var harness = redHarness()) {
            harness.open();
            process(harness, sample(100_000, "/cart/{id}", ResponseStatus.OK, 1_000L));
            process(harness, sample(200_000, "/cart/{id}", ResponseStatus.SERVER_ERROR, 3_000L));
            process(harness, sample(300_000, "/cart/{id}", ResponseStatus.TIMEOUT, null));
            process(harness, sample(500_000, "/checkout", ResponseStatus.CLIENT_ERROR, 2_000L));
            process(harness, sample(1_200_000, "/cart/{id}", ResponseStatus.OK, 4_000L));

            harness.processWatermark(T0_MS + 998);
            assertThat(harness.extractOutputValues()).isEmpty();

            harness.processWatermark(T0_MS + 999);
            List<RedMetric> first = sortedByEndpoint(harness.extractOutputValues());
            assertThat(first).hasSize(2);
            RedMetric cart = first.get(0);
            assertThat(cart.getWindowStartMs()).isEqualTo(T0_MS);
            assertThat(cart.getWindowSizeMs()).isEqualTo(SECOND_MS);
            assertThat(cart.getService()).isEqualTo(CART);
            assertThat(cart.getEndpoint()).isEqualTo("/cart/{id}");
            assertThat(cart.getL7Protocol()).isEqualTo(L7Protocol.HTTP1);
            assertThat(cart.getObservationPoint()).isEqualTo(ObservationPoint.SERVER_PROCESS);
            assertThat(cart.getRequests()).isEqualTo(3);
            assertThat(cart.getClientErrors()).isZero();
            assertThat(cart.getServerErrors()).isEqualTo(1);
            assertThat(cart.getTimeouts()).isEqualTo(1);
            assertThat(cart.getLatencyCount()).isEqualTo(2);
            assertThat(cart.getLatencySumUs()).isEqualTo(4_000);
            assertThat(cart.getLatencyMaxUs()).isEqualTo(3_000);
            // DDSketch ranks q * (count - 1): of two samples, p50 and p99 are the lower one (±1 %)
            assertThat(cart.getLatencyP50Us()).isBetween(990.0, 1_010.0);
            DDSketch sketch = LatencySketch.fromBytes(cart.getLatencySketch());
            assertThat(sketch.getCount()).isEqualTo(2);
            assertThat(sketch.getMaxValue()).isBetween(2_970.0, 3_030.0);
            assertThat(cart.getLatencyP90Us()).isEqualTo(sketch.getValueAtQuantile(0.90));
            assertThat(cart.getLatencyP99Us()).isEqualTo(sketch.getValueAtQuantile(0.99));
            RedMetric checkout = first.get(1);
            assertThat(checkout.getEndpoint()).isEqualTo("/checkout");
            assertThat(checkout.getRequests()).isEqualTo(1);
            assertThat(checkout.getClientErrors()).isEqualTo(1);

            harness.processWatermark(T0_MS + 1_999);
            List<RedMetric> all = harness.extractOutputValues();
            assertThat(all).hasSize(3);
            assertThat(all.get(2).getWindowStartMs()).isEqualTo(T0_MS + 1_000);
            assertThat(all.get(2).getRequests()).isEqualTo(1);
            assertThat(all.get(2).getLatencyMaxUs()).isEqualTo(4_000);
        }
    }

    @Test
    void aWindowWithoutLatencySamplesHasNullPercentilesAndAnEmptySketch() throws Exception {
        try (var harness = redHarness()) {
            harness.open();
            process(harness, sample(0, "/slow", ResponseStatus.TIMEOUT, null));
            harness.processWatermark(T0_MS + 999);

            RedMetric row = harness.extractOutputValues().get(0);
            assertThat(row.getTimeouts()).isEqualTo(1);
            assertThat(row.getLatencyCount()).isZero();
            assertThat(row.getLatencyP50Us()).isNull();
            assertThat(row.getLatencyP90Us()).isNull();
            assertThat(row.getLatencyP99Us()).isNull();
            assertThat(row.getLatencySketch().remaining()).isZero();
        }
    }

    @Test
    void stateAndTimersAreGoneOnceAllWindowsFired() throws Exception {
        try (var harness = redHarness()) {
            harness.open();
            process(harness, sample(100_000, "/cart/{id}", ResponseStatus.OK, 1_000L));
            process(harness, sample(500_000, "/checkout", ResponseStatus.OK, 1_000L));
            process(harness, sample(1_500_000, "/cart/{id}", ResponseStatus.OK, 1_000L));
            assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
            assertThat(harness.numEventTimeTimers()).isEqualTo(3);

            harness.processWatermark(T0_MS + 999);
            assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
            assertThat(harness.numEventTimeTimers()).isEqualTo(1);

            harness.processWatermark(T0_MS + 1_999);
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
            assertThat(harness.extractOutputValues()).hasSize(3);
        }
    }

    @Test
    void restoredFromASnapshotItEmitsWhatTheOriginalWould() throws Exception {
        List<RequestSample> before = List.of(
                sample(100_000, "/cart/{id}", ResponseStatus.OK, 1_000L),
                sample(200_000, "/cart/{id}", ResponseStatus.OK, 7_000L),
                sample(1_100_000, "/checkout", ResponseStatus.OK, 2_000L));
        List<RequestSample> after = List.of(
                sample(300_000, "/cart/{id}", ResponseStatus.SERVER_ERROR, 5_000L),
                sample(1_900_000, "/checkout", ResponseStatus.OK, 9_000L));

        List<RedMetric> uninterrupted;
        OperatorSubtaskState snapshot;
        try (var original = redHarness()) {
            original.open();
            before.forEach(r -> process(original, r));
            snapshot = original.snapshot(1L, 1L);
            after.forEach(r -> process(original, r));
            original.processWatermark(T0_MS + 1_999);
            uninterrupted = original.extractOutputValues();
        }

        try (var restored = redHarness()) {
            restored.initializeState(snapshot);
            restored.open();
            assertThat(restored.numKeyedStateEntries()).isEqualTo(2);
            assertThat(restored.numEventTimeTimers()).isEqualTo(2);
            after.forEach(r -> process(restored, r));
            restored.processWatermark(T0_MS + 1_999);

            assertThat(restored.extractOutputValues()).isEqualTo(uninterrupted).hasSize(2);
            assertThat(uninterrupted.get(0).getLatencyCount()).isEqualTo(3);
        }
    }

    @Test
    void aRequestWhoseWindowFiredGoesToTheLateOutputAndIsCounted() throws Exception {
        try (var harness = redHarness()) {
            harness.open();
            harness.processWatermark(T0_MS + 1_999);
            RequestSample late = sample(1_900_000, "/cart/{id}", ResponseStatus.OK, 1_000L);
            RequestSample onTime = sample(2_000_000, "/cart/{id}", ResponseStatus.OK, 1_000L);
            process(harness, late);
            process(harness, onTime);

            assertThat(harness.getSideOutput(LATE)).extracting(StreamRecord::getValue).containsExactly(late);
            assertThat(counters.get(TumblingWindowAggregator.LATE_COUNTER).getCount()).isEqualTo(1);
            harness.processWatermark(T0_MS + 2_999);
            assertThat(harness.extractOutputValues()).singleElement()
                    .satisfies(row -> assertThat(row.getWindowStartMs()).isEqualTo(T0_MS + 2_000))
                    .satisfies(row -> assertThat(row.getRequests()).isEqualTo(1));
        }
    }

    @Test
    void serviceMapCountsEachRequestOnItsEdge() throws Exception {
        var aggregator = new TumblingWindowAggregator<>(new ServiceMapAggregation(), RequestStatsTypeInfo.INSTANCE,
                MINUTE_MS, LATE);
        try (KeyedOneInputStreamOperatorTestHarness<EdgeKey, RequestSample, ServiceMapEdge> harness =
                harness(aggregator, EdgeKey::of, EdgeKey.class, AvroSpecificTypeInfo.forRecord(ServiceMapEdge.class), counters)) {
            harness.open();
            harness.processElement(sample(1_000, "/cart/{id}", ResponseStatus.OK, 1_000L), T0_MS);
            harness.processElement(sample(2_000, "/checkout", ResponseStatus.SERVER_ERROR, 3_000L), T0_MS);
            harness.processElement(
                    RequestSample.of(requestBuilder(3_000).setClientService(null).setClientProcess(null).build()), T0_MS);
            harness.processWatermark(T0_MS + MINUTE_MS - 1);

            List<ServiceMapEdge> edges = harness.extractOutputValues().stream()
                    .sorted(Comparator.comparing(ServiceMapEdge::getClientService)).toList();
            assertThat(edges).hasSize(2);
            assertThat(edges.get(0).getClientService()).isEqualTo("10.0.0.1");
            assertThat(edges.get(0).getRequests()).isEqualTo(1);
            ServiceMapEdge frontend = edges.get(1);
            assertThat(frontend.getClientService()).isEqualTo(FRONTEND);
            assertThat(frontend.getServerService()).isEqualTo(CART);
            assertThat(frontend.getWindowSizeMs()).isEqualTo(MINUTE_MS);
            assertThat(frontend.getWindowStartMs()).isEqualTo(T0_MS);
            assertThat(frontend.getRequests()).isEqualTo(2);
            assertThat(frontend.getServerErrors()).isEqualTo(1);
            assertThat(frontend.getLatencySumUs()).isEqualTo(4_000);
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    private KeyedOneInputStreamOperatorTestHarness<RedKey, RequestSample, RedMetric> redHarness() throws Exception {
        return harness(new TumblingWindowAggregator<>(new RedAggregation(), RequestStatsTypeInfo.INSTANCE, SECOND_MS,
                LATE), RedKey::of, RedKey.class, AvroSpecificTypeInfo.forRecord(RedMetric.class), counters);
    }

    /** Processes with a stream timestamp far from the record's time: the window must come from the record. */
    private static void process(KeyedOneInputStreamOperatorTestHarness<RedKey, RequestSample, RedMetric> harness,
            RequestSample log) {
        try {
            harness.processElement(log, 0L);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<RedMetric> sortedByEndpoint(List<RedMetric> rows) {
        return rows.stream().sorted(Comparator.comparing(RedMetric::getEndpoint)).toList();
    }
}
