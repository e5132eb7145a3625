package io.tapflow.flowagg.reassembly;

import io.tapflow.flink.deadletter.SafeProcessFunction;
import io.tapflow.schema.DeadLetterReason;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/** Counters of {@link FlowReassembler}, in the operator's metric group under {@code reassembly}. */
final class ReassemblyMetrics {

    final Counter dataEvents;
    final Counter tcpEvents;
    final Counter lateEvents;
    final Counter flowsOpened;
    final Counter flowsClosed;
    final Counter flowsExpired;
    final Counter unknownProtocolFlows;
    final Counter messages;
    final Counter requestLogs;
    final Counter flowLogs;
    final Counter decodeErrors;
    final Counter holesSkipped;
    final Counter pendingEvicted;
    private final MetricGroup operator;
    private final Map<DeadLetterReason, Counter> deadLetters = new EnumMap<>(DeadLetterReason.class);

    ReassemblyMetrics(MetricGroup operator) {
        this.operator = operator;
        MetricGroup g = operator.addGroup("reassembly");
        dataEvents = g.counter("dataEvents");
        tcpEvents = g.counter("tcpEvents");
        lateEvents = g.counter("lateEvents");
        flowsOpened = g.counter("flowsOpened");
        flowsClosed = g.counter("flowsClosed");
        flowsExpired = g.counter("flowsExpired");
        unknownProtocolFlows = g.counter("unknownProtocolFlows");
        messages = g.counter("messages");
        requestLogs = g.counter("requestLogs");
        flowLogs = g.counter("flowLogs");
        decodeErrors = g.counter("decodeErrors");
        holesSkipped = g.counter("holesSkipped");
        pendingEvicted = g.counter("pendingEvicted");
    }

    void deadLetter(DeadLetterReason reason) {
        deadLetters.computeIfAbsent(reason, r -> operator.addGroup(SafeProcessFunction.REASON_GROUP, r.name())
                .counter(SafeProcessFunction.COUNTER)).inc();
    }
}
