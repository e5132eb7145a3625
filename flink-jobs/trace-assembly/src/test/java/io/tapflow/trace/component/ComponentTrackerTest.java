package io.tapflow.trace.component;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class ComponentTrackerTest {

    private static final long TIMEOUT = 1_000;
    private static final long RETENTION = 5_000;

    private static KeyedOneInputStreamOperatorTestHarness<Integer, SpanEdge, Membership> harness(long maxSpans)
            throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ComponentTracker(TIMEOUT, RETENTION, 100, maxSpans)),
                e -> ComponentTracker.KEY, Types.INT);
        h.open();
        return h;
    }

    private static void edge(KeyedOneInputStreamOperatorTestHarness<Integer, SpanEdge, Membership> h, String a,
            String b, long ts) throws Exception {
        h.processElement(new StreamRecord<>(new SpanEdge(a, b), ts));
    }

    private static List<Membership> drain(KeyedOneInputStreamOperatorTestHarness<Integer, SpanEdge, Membership> h) {
        List<Membership> out = h.extractOutputValues();
        h.getOutput().clear();
        return out;
    }

    @Test
    void linkedLogsAreEmittedTogetherAfterTheTimeoutThenReleasedLeavingNothing() throws Exception {
        try (var h = harness(1_000)) {
            edge(h, "b", "b", 100);
            edge(h, "c", "c", 200);
            edge(h, "a", "a", 200);
            edge(h, "b", "a", 200);
            h.processWatermark(new Watermark(200 + TIMEOUT - 1));
            assertThat(drain(h)).isEmpty();

            h.processWatermark(new Watermark(200 + TIMEOUT));
            assertThat(drain(h)).containsExactlyInAnyOrder(Membership.emit("a", "a", 0, 2, true),
                    Membership.emit("b", "a", 0, 2, true), Membership.emit("c", "c", 0, 1, true));

            h.processWatermark(new Watermark(200 + TIMEOUT + RETENTION));
            assertThat(drain(h)).containsExactlyInAnyOrder(Membership.release("a", "a"),
                    Membership.release("b", "a"), Membership.release("c", "c"));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aLateLinkReopensAnEmittedTraceAndReEmitsAllMembersWithTheNextSeq() throws Exception {
        try (var h = harness(1_000)) {
            edge(h, "m", "m", 100);
            edge(h, "n", "m", 100);
            h.processWatermark(new Watermark(100 + TIMEOUT));
            assertThat(drain(h)).hasSize(2);

            edge(h, "k", "k", 50); // late: its time is behind the watermark
            edge(h, "k", "n", 50);
            h.processWatermark(new Watermark(100 + TIMEOUT + 1));
            assertThat(drain(h)).containsExactlyInAnyOrder(Membership.emit("k", "k", 1, 3, true),
                    Membership.emit("m", "k", 1, 3, true), Membership.emit("n", "k", 1, 3, true));
        }
    }

    @Test
    void overTheSpanLimitTheEarliestTraceIsEmittedEarlyAndReleased() throws Exception {
        try (var h = harness(2)) {
            edge(h, "x", "x", 100);
            edge(h, "y", "y", 200);
            edge(h, "z", "z", 300);
            assertThat(drain(h)).containsExactly(Membership.emit("x", "x", 0, 1, false),
                    Membership.release("x", "x"));
        }
    }

    @Test
    void aRestoredTrackerEmitsWhatTheOriginalWould() throws Exception {
        OperatorSubtaskState snapshot;
        List<Membership> expected;
        try (var h = harness(1_000)) {
            edge(h, "p", "p", 100);
            edge(h, "q", "p", 100);
            snapshot = h.snapshot(1, 1);
            edge(h, "r", "q", 150);
            h.processWatermark(new Watermark(10_000));
            expected = drain(h);
        }
        var restored = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ComponentTracker(TIMEOUT, RETENTION, 100, 1_000)),
                e -> ComponentTracker.KEY, Types.INT);
        try (restored) {
            restored.initializeState(snapshot);
            restored.open();
            edge(restored, "r", "q", 150);
            restored.processWatermark(new Watermark(10_000));
            assertThat(drain(restored)).isEqualTo(expected).hasSize(6);
        }
    }
}
