package io.tapflow.flowagg.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.flink.serde.AvroSpecificTypeInfo;
import io.tapflow.schema.CloseType;
import io.tapflow.schema.FlowLog;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/** Flow emissions to NetMetric contributions, 1 min windows, 10 min idle timeout. */
class FlowDeltaFunctionTest extends MetricsTestBase {

    private static final long IDLE_MS = 600_000L;
    private static final OutputTag<FlowLog> LATE = new OutputTag<>("late", AvroSpecificTypeInfo.forRecord(FlowLog.class));
    private static final NetKey EDGE = new NetKey(FRONTEND, CART, 8080, "TCP", "CLIENT_PROCESS");

    private final Map<String, Counter> counters = new HashMap<>();

    /** First emission 10 s in: connect took 300 µs, 100 bytes out, 200 in, srtt 50 µs. */
    private static final FlowLog OPENED = flowBuilder("f1", 0, 0, 10 * SECOND_US)
            .setBytesClientToServer(100).setBytesServerToClient(200).setSrttUs(50L).setConnectLatencyUs(300L)
            .build();
    /** A minute later: 50 more bytes out, 300 more in, 2 retransmits, srtt unchanged. */
    private static final FlowLog ONGOING = flowBuilder("f1", 1, 0, 70 * SECOND_US)
            .setBytesClientToServer(150).setBytesServerToClient(500).setSrttUs(50L).setConnectLatencyUs(300L)
            .setRetransmits(2).build();
    /** Closed by a reset: 100 more bytes in, srtt now 60 µs. */
    private static final FlowLog RESET = flowBuilder("f1", 2, 0, 75 * SECOND_US)
            .setBytesClientToServer(150).setBytesServerToClient(600).setSrttUs(60L).setConnectLatencyUs(300L)
            .setRetransmits(2).setResets(1).setCloseType(CloseType.RESET).setIsFinal(true).build();

    @Test
    void cumulativeEmissionsBecomeDeltasInTheirWindows() throws Exception {
        try (var harness = deltaHarness()) {
            harness.open();
            harness.processWatermark(T0_MS);
            harness.processElement(OPENED, T0_MS + 10_000);
            harness.processElement(ONGOING, T0_MS + 70_000);
            harness.processElement(RESET, T0_MS + 75_000);

            List<NetContribution> out = harness.extractOutputValues();
            assertThat(out).extracting(c -> c.key).containsOnly(EDGE);
            assertThat(out).extracting(c -> c.eventTimeUs).containsExactly(
                    T0_US, T0_US + 300, T0_US + 10 * SECOND_US, T0_US + 70 * SECOND_US, T0_US + 75 * SECOND_US);
            assertThat(out.get(0).delta).usingRecursiveComparison().isEqualTo(stats(s -> s.newFlows = 1));
            assertThat(out.get(1).delta).usingRecursiveComparison().isEqualTo(stats(s -> s.addConnectLatency(300)));
            assertThat(out.get(2).delta).usingRecursiveComparison().isEqualTo(stats(s -> {
                s.bytesClientToServer = 100;
                s.bytesServerToClient = 200;
                s.addSrtt(50);
            }));
            assertThat(out.get(3).delta).usingRecursiveComparison().isEqualTo(stats(s -> {
                s.bytesClientToServer = 50;
                s.bytesServerToClient = 300;
                s.retransmits = 2;
            }));
            assertThat(out.get(4).delta).usingRecursiveComparison().isEqualTo(stats(s -> {
                s.bytesServerToClient = 100;
                s.resets = 1;
                s.addSrtt(60);
                s.closedFlows = 1;
            }));
        }
    }

    @Test
    void theFinalEmissionClearsStateAndTimer() throws Exception {
        try (var harness = deltaHarness()) {
            harness.open();
            harness.processElement(OPENED, T0_MS + 10_000);
            harness.processElement(ONGOING, T0_MS + 70_000);
            assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
            assertThat(harness.numEventTimeTimers()).isEqualTo(1);

            harness.processElement(RESET, T0_MS + 75_000);
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aFlowWithoutFinalEmissionIsForgottenAfterTheIdleTimeout() throws Exception {
        try (var harness = deltaHarness()) {
            harness.open();
            harness.processElement(OPENED, T0_MS + 10_000);
            harness.processWatermark(T0_MS + 10_000 + IDLE_MS - 1);
            assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
            assertThat(harness.numEventTimeTimers()).isEqualTo(1);

            harness.processWatermark(T0_MS + 10_000 + IDLE_MS);
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
            assertThat(harness.extractOutputValues()).hasSize(3);
        }
    }

    @Test
    void restoredFromASnapshotItEmitsWhatTheOriginalWould() throws Exception {
        List<NetContribution> uninterrupted;
        OperatorSubtaskState snapshot;
        try (var original = deltaHarness()) {
            original.open();
            original.processElement(OPENED, T0_MS + 10_000);
            snapshot = original.snapshot(1L, 1L);
            original.processElement(ONGOING, T0_MS + 70_000);
            original.processElement(RESET, T0_MS + 75_000);
            uninterrupted = original.extractOutputValues().subList(3, 5);
        }
        try (var restored = deltaHarness()) {
            restored.initializeState(snapshot);
            restored.open();
            assertThat(restored.numKeyedStateEntries()).isEqualTo(1);
            assertThat(restored.numEventTimeTimers()).isEqualTo(1);
            restored.processElement(ONGOING, T0_MS + 70_000);
            restored.processElement(RESET, T0_MS + 75_000);

            assertThat(restored.extractOutputValues()).usingRecursiveFieldByFieldElementComparator()
                    .containsExactlyElementsOf(uninterrupted);
            assertThat(restored.numKeyedStateEntries()).isZero();
            assertThat(restored.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void anEmissionWhoseWindowFiredGoesToTheLateOutputAndTheNextOneCarriesItsIncrease() throws Exception {
        try (var harness = deltaHarness()) {
            harness.open();
            harness.processElement(OPENED, T0_MS + 10_000);
            harness.processWatermark(T0_MS + 2 * MINUTE_MS - 1);
            harness.processElement(ONGOING, T0_MS + 70_000);

            assertThat(harness.getSideOutput(LATE)).extracting(StreamRecord::getValue).containsExactly(ONGOING);
            assertThat(counters.get(FlowDeltaFunction.LATE_COUNTER).getCount()).isEqualTo(1);
            assertThat(harness.extractOutputValues()).hasSize(3);

            FlowLog closed = flowBuilder("f1", 2, 0, 125 * SECOND_US)
                    .setBytesClientToServer(150).setBytesServerToClient(500).setSrttUs(50L).setConnectLatencyUs(300L)
                    .setRetransmits(2).setCloseType(CloseType.NORMAL).setIsFinal(true).build();
            harness.processElement(closed, T0_MS + 125_000);
            NetContribution last = harness.extractOutputValues().get(3);
            assertThat(last.eventTimeUs).isEqualTo(T0_US + 125 * SECOND_US);
            assertThat(last.delta).usingRecursiveComparison().isEqualTo(stats(s -> {
                s.bytesClientToServer = 50;
                s.bytesServerToClient = 300;
                s.retransmits = 2;
                s.closedFlows = 1;
            }));
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aFlowFirstSeenAfterItsStartWindowFiredCountsAsNewInTheEmissionsWindow() throws Exception {
        try (var harness = deltaHarness()) {
            harness.open();
            harness.processWatermark(T0_MS + MINUTE_MS + 5_000);
            harness.processElement(ONGOING, T0_MS + 70_000);

            List<NetContribution> out = harness.extractOutputValues();
            assertThat(out).extracting(c -> c.eventTimeUs).containsExactly(
                    T0_US + 70 * SECOND_US, T0_US + 70 * SECOND_US, T0_US + 70 * SECOND_US);
            assertThat(out.get(0).delta.newFlows).isEqualTo(1);
            assertThat(out.get(1).delta.connectLatencyCount).isEqualTo(1);
            assertThat(out.get(2).delta.bytesServerToClient).isEqualTo(500);
            assertThat(harness.getSideOutput(LATE)).isNull();
        }
    }

    @Test
    void repeatedOrOlderEmissionsAreIgnored() throws Exception {
        try (var harness = deltaHarness()) {
            harness.open();
            harness.processElement(ONGOING, T0_MS + 70_000);
            int counted = harness.extractOutputValues().size();
            // an older emission with another srtt: counted, it would add an srtt sample
            harness.processElement(flowBuilder("f1", 0, 0, 10 * SECOND_US).setSrttUs(40L).build(), T0_MS + 10_000);
            harness.processElement(ONGOING, T0_MS + 70_000);

            assertThat(harness.extractOutputValues()).hasSize(counted);
        }
    }

    @Test
    void aFailedConnectCountsAsNewClosedAndFailed() throws Exception {
        try (var harness = deltaHarness()) {
            harness.open();
            FlowLog failed = flowBuilder("f2", 0, 0, 3 * SECOND_US)
                    .setCloseType(CloseType.CONNECT_FAILED).setIsFinal(true).build();
            FlowLog expired = flowBuilder("f3", 0, 0, 5 * SECOND_US)
                    .setBytesClientToServer(10).setCloseType(CloseType.TIMEOUT).setIsFinal(true).build();
            harness.processElement(failed, T0_MS + 3_000);
            harness.processElement(expired, T0_MS + 5_000);

            NetStats total = new NetStats();
            harness.extractOutputValues().forEach(c -> total.add(c.delta));
            assertThat(total).usingRecursiveComparison().isEqualTo(stats(s -> {
                s.newFlows = 2;
                s.closedFlows = 2;
                s.connectFailures = 1;
                s.timeouts = 1;
                s.bytesClientToServer = 10;
            }));
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    private KeyedOneInputStreamOperatorTestHarness<String, FlowLog, NetContribution> deltaHarness() throws Exception {
        return harness(new FlowDeltaFunction(MINUTE_MS, IDLE_MS, LATE), FlowLog::getFlowId, String.class,
                TypeInformation.of(NetContribution.class), counters);
    }

    private static NetStats stats(java.util.function.Consumer<NetStats> fill) {
        NetStats stats = new NetStats();
        fill.accept(stats);
        return stats;
    }
}
