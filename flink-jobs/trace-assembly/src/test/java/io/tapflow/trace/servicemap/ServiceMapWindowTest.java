package io.tapflow.trace.servicemap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.tapflow.flink.serde.AvroSpecificTypeInfo;
import io.tapflow.schema.ServiceMapEdge;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Service-map windows: one row per edge and window once the watermark passes the window's end plus the allowed
 * lateness, with requests, error classes and latency; later samples dropped; nothing left per edge after its last
 * window fired; a snapshot inside a window restores to the same rows.
 */
class ServiceMapWindowTest {

    private static final long WINDOW = 60_000;
    private static final long LATENESS = 5_000;
    private static final long T0_MS = 1_735_689_600_000L;

    private static KeyedOneInputStreamOperatorTestHarness<String, EdgeSample, ServiceMapEdge> harness()
            throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ServiceMapWindow(WINDOW, LATENESS)), EdgeSample::edgeKey,
                Types.STRING);
        h.setup(AvroSpecificTypeInfo.forRecord(ServiceMapEdge.class).createSerializer(new SerializerConfigImpl()));
        return h;
    }

    private static EdgeSample sample(String client, String server, long startMs, String status, long durationUs) {
        return new EdgeSample(client, server, "HTTP1", "SERVER_PROCESS", startMs * 1000, status, durationUs);
    }

    private static void feed(KeyedOneInputStreamOperatorTestHarness<String, EdgeSample, ServiceMapEdge> h,
            EdgeSample... samples) throws Exception {
        for (EdgeSample s : samples) {
            h.processElement(new StreamRecord<>(s, s.startTimeUs() / 1000));
        }
    }

    private static final EdgeSample[] FIRST_HALF = {
        sample("gateway", "orders", T0_MS + 1_000, "OK", 2_000),
        sample("gateway", "orders", T0_MS + 2_000, "SERVER_ERROR", 9_000),
        sample("orders", "redis", T0_MS + 3_000, "OK", 300),
    };
    private static final EdgeSample[] SECOND_HALF = {
        sample("gateway", "orders", T0_MS + 4_000, "CLIENT_ERROR", 1_000),
        sample("gateway", "orders", T0_MS + 5_000, "TIMEOUT", -1),
        sample("gateway", "orders", T0_MS + WINDOW + 1, "OK", 4_000),
    };

    @Test
    void oneRowPerEdgeAndWindowAfterTheLatenessThenNothingLeft() throws Exception {
        try (var h = harness()) {
            h.open();
            feed(h, FIRST_HALF);
            feed(h, SECOND_HALF);
            h.processWatermark(new Watermark(T0_MS + WINDOW - 1 + LATENESS - 1));
            assertThat(h.extractOutputValues()).as("before the lateness has passed").isEmpty();

            h.processWatermark(new Watermark(T0_MS + WINDOW - 1 + LATENESS));
            List<ServiceMapEdge> rows = h.extractOutputValues();
            assertThat(rows).extracting(r -> r.getClientService() + ">" + r.getServerService(), r -> r.getRequests(),
                            ServiceMapEdge::getClientErrors, ServiceMapEdge::getServerErrors,
                            ServiceMapEdge::getTimeouts, ServiceMapEdge::getLatencyCount,
                            ServiceMapEdge::getLatencySumUs, ServiceMapEdge::getLatencyMaxUs)
                    .containsExactlyInAnyOrder(
                            tuple("gateway>orders", 4L, 1L, 1L, 1L, 3L, 12_000L, 9_000L),
                            tuple("orders>redis", 1L, 0L, 0L, 0L, 1L, 300L, 300L));
            assertThat(rows).allSatisfy(r -> assertThat(r.getWindowStartMs()).isEqualTo(T0_MS));

            feed(h, sample("gateway", "orders", T0_MS + 10, "OK", 1)); // its window has fired: dropped
            h.processWatermark(new Watermark(T0_MS + 2 * WINDOW - 1 + LATENESS));
            assertThat(h.extractOutputValues()).hasSize(3).last()
                    .satisfies(r -> assertThat(r.getWindowStartMs()).isEqualTo(T0_MS + WINDOW))
                    .satisfies(r -> assertThat(r.getRequests()).isEqualTo(1L));
            assertThat(h.numKeyedStateEntries()).as("keyed state after every window fired").isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aSnapshotInsideAWindowRestoresToTheSameRows() throws Exception {
        List<ServiceMapEdge> uninterrupted;
        try (var h = harness()) {
            h.open();
            feed(h, FIRST_HALF);
            feed(h, SECOND_HALF);
            h.processWatermark(new Watermark(T0_MS + 2 * WINDOW + LATENESS));
            uninterrupted = h.extractOutputValues();
        }
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            feed(h, FIRST_HALF);
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            feed(h, SECOND_HALF);
            h.processWatermark(new Watermark(T0_MS + 2 * WINDOW + LATENESS));
            assertThat(h.extractOutputValues()).isEqualTo(uninterrupted).hasSize(3);
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }
}
