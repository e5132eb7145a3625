package io.tapflow.trace.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.flink.serde.AvroSpecificTypeInfo;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.Trace;
import io.tapflow.trace.TraceAssemblyTestBase;
import io.tapflow.trace.link.LinkRules;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The stage that gathers one trace emission's members: when all have come it emits the trace (every span, one
 * root) and forgets the emission; if its timer fires first it emits what it has; a snapshot taken while gathering
 * restores to the same trace.
 */
class TraceBuilderTest extends TraceAssemblyTestBase {

    private static final long TS = T0_US / 1000;
    private static final List<RequestLog> CHAIN = chain(1, T0_US, 3_000, new Random(3), null, null).logs();

    private static KeyedOneInputStreamOperatorTestHarness<String, MemberSpan, Trace> harness() throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(
                new TraceBuilder(new TraceAssembler(LinkRules.defaults(Duration.ofMillis(20), true)))),
                MemberSpan::traceKey, Types.STRING);
        h.setup(AvroSpecificTypeInfo.forRecord(Trace.class).createSerializer(new SerializerConfigImpl()));
        return h;
    }

    private static void feed(KeyedOneInputStreamOperatorTestHarness<String, MemberSpan, Trace> h,
            List<RequestLog> logs, int memberCount) throws Exception {
        for (RequestLog log : logs) {
            h.processElement(new StreamRecord<>(new MemberSpan("trace-1", 0, memberCount, true, true, log), TS));
        }
    }

    @Test
    void allMembersInEmitsTheWholeTraceAndLeavesNothing() throws Exception {
        try (var h = harness()) {
            h.open();
            feed(h, CHAIN.subList(0, CHAIN.size() - 1), CHAIN.size());
            assertThat(h.extractOutputValues()).as("one member missing").isEmpty();
            feed(h, CHAIN.subList(CHAIN.size() - 1, CHAIN.size()), CHAIN.size());
            List<Trace> traces = h.extractOutputValues();
            assertThat(traces).hasSize(1);
            assertThat(traces.get(0).getSpans()).extracting(span -> span.getLogId().toString())
                    .as("every log of the chain is a span of the trace")
                    .containsExactlyInAnyOrderElementsOf(CHAIN.stream().map(RequestLog::getLogId).toList());
            assertThat(traces.get(0).getSpanCount()).isEqualTo(CHAIN.size());
            assertThat(traces.get(0).getSpans()).filteredOn(span -> span.getParentSpanId() == null)
                    .as("one root").hasSize(1);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void whenAMemberNeverComesTheTimerEmitsWhatThereIs() throws Exception {
        try (var h = harness()) {
            h.open();
            feed(h, CHAIN.subList(0, CHAIN.size() - 1), CHAIN.size());
            h.processWatermark(new Watermark(TS + 1));
            List<Trace> traces = h.extractOutputValues();
            assertThat(traces).hasSize(1);
            assertThat(traces.get(0).getSpans()).extracting(span -> span.getLogId().toString())
                    .containsExactlyInAnyOrderElementsOf(CHAIN.subList(0, CHAIN.size() - 1).stream()
                            .map(RequestLog::getLogId).toList());
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aSnapshotWhileGatheringRestoresToTheSameTrace() throws Exception {
        List<Trace> uninterrupted;
        try (var h = harness()) {
            h.open();
            feed(h, CHAIN, CHAIN.size());
            uninterrupted = h.extractOutputValues();
        }
        int half = CHAIN.size() / 2;
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            feed(h, CHAIN.subList(0, half), CHAIN.size());
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            feed(h, CHAIN.subList(half, CHAIN.size()), CHAIN.size());
            assertThat(h.extractOutputValues()).isEqualTo(uninterrupted).hasSize(1);
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }
}
