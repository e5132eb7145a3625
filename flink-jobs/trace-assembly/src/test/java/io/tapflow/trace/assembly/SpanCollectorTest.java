package io.tapflow.trace.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.flink.serde.JavaSerializedTypeInfo;
import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.RequestLog;
import io.tapflow.trace.TraceAssemblyTestBase;
import io.tapflow.trace.component.Membership;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The stage that holds each request log until its trace membership arrives: a log is forwarded to its trace once
 * per emission (first=true only the first time), a membership that overtook its log waits for it or is dropped once
 * the watermark passes it, a release frees the log's state, and a held log survives snapshot → restore.
 */
class SpanCollectorTest extends TraceAssemblyTestBase {

    private static final RequestLog LOG_A = log(logId(1, 0), HOST_A, ObservationPoint.SERVER_PROCESS, T0_US,
            T0_US + 5_000).build();
    private static final long TS = T0_US / 1000;

    private static KeyedTwoInputStreamOperatorTestHarness<String, RequestLog, Membership, MemberSpan> harness()
            throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(new SpanCollector()),
                RequestLog::getLogId, (Membership m) -> m.logId, Types.STRING);
        // the job's output type (the harness would ask flink-avro for the RequestLog inside)
        h.setup(JavaSerializedTypeInfo.forClass(MemberSpan.class).createSerializer(new SerializerConfigImpl()));
        return h;
    }

    private static List<String> spans(List<MemberSpan> out) {
        return out.stream().map(s -> s.traceKey() + "#" + s.updateSeq() + " first=" + s.firstEmission() + " "
                + s.log().getLogId()).toList();
    }

    @Test
    void aLogIsForwardedOncePerEmissionAndFreedByItsRelease() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement1(new StreamRecord<>(LOG_A, TS));
            h.processElement2(new StreamRecord<>(Membership.emit(LOG_A.getLogId(), "t1", 0, 2, true), TS + 10));
            h.processElement2(new StreamRecord<>(Membership.emit(LOG_A.getLogId(), "t1", 1, 3, true), TS + 20));
            assertThat(spans(h.extractOutputValues())).containsExactly(
                    "t1#0 first=true " + LOG_A.getLogId(), "t1#1 first=false " + LOG_A.getLogId());
            assertThat(h.numKeyedStateEntries()).as("the log stays until released").isPositive();

            h.processElement2(new StreamRecord<>(Membership.release(LOG_A.getLogId(), "t1"), TS + 30));
            assertThat(h.numKeyedStateEntries()).as("state after the release").isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aMembershipWaitsForItsLogOrIsDroppedOnceTheWatermarkPassesIt() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement2(new StreamRecord<>(Membership.emit(LOG_A.getLogId(), "t1", 0, 1, true), TS + 10));
            assertThat(h.extractOutputValues()).isEmpty();
            h.processElement1(new StreamRecord<>(LOG_A, TS));
            assertThat(spans(h.extractOutputValues())).containsExactly("t1#0 first=true " + LOG_A.getLogId());
            assertThat(h.numEventTimeTimers()).as("the wait ended with the log").isZero();

            String orphan = logId(1, 9);
            h.processElement2(new StreamRecord<>(Membership.emit(orphan, "t2", 0, 1, true), TS + 50));
            h.processBothWatermarks(new Watermark(TS + 50));
            h.processElement2(new StreamRecord<>(Membership.release(LOG_A.getLogId(), "t1"), TS + 60));
            assertThat(h.extractOutputValues()).hasSize(1);
            assertThat(h.numKeyedStateEntries()).as("nothing left of the orphan or the released log").isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aHeldLogSurvivesSnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            h.processElement1(new StreamRecord<>(LOG_A, TS));
            h.processElement2(new StreamRecord<>(Membership.emit(LOG_A.getLogId(), "t1", 0, 2, true), TS + 10));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            h.processElement2(new StreamRecord<>(Membership.emit(LOG_A.getLogId(), "t1", 1, 3, true), TS + 20));
            assertThat(spans(h.extractOutputValues())).containsExactly("t1#1 first=false " + LOG_A.getLogId());
        }
    }
}
