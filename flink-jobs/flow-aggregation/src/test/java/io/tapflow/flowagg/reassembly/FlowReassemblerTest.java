package io.tapflow.flowagg.reassembly;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.flink.deadletter.DeadLetters;
import io.tapflow.flink.flow.FlowKeys;
import io.tapflow.flink.serde.AvroSpecificTypeInfo;
import io.tapflow.protocols.testing.Capture;
import io.tapflow.protocols.testing.Capture.Connection;
import io.tapflow.schema.CloseType;
import io.tapflow.schema.DeadLetter;
import io.tapflow.schema.DeadLetterReason;
import io.tapflow.schema.FlowLog;
import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.ResponseStatus;
import io.tapflow.schema.Role;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * {@link FlowReassembler} over real captured connections (the protocol goldens), fed as the collector reports them
 * from one end of each connection.
 */
class FlowReassemblerTest {

    private static final long SOCKET = 0x1234_5678L;
    private static final ReassemblyOptions OPTIONS = ReassemblyOptions.defaults();

    @Test
    void keepAliveExchangesBecomeOneRequestLogEachAndTheFlowEndsCleanly() throws Exception {
        Connection c = CapturedFlows.golden("http1/01-get-keepalive").connections().get(0);
        try (var harness = harness()) {
            feed(harness, CapturedFlows.dataEvents(c, Role.SERVER, SOCKET));
            feed(harness, CapturedFlows.close(c, Role.SERVER, SOCKET));

            List<RequestLog> logs = requestLogs(harness);
            assertThat(logs).extracting(RequestLog::getRequestResource)
                    .containsExactly("/index.html", "/a.txt", "/missing/42");
            assertThat(logs).extracting(RequestLog::getResponseCode).containsExactly(200, 200, 404);
            assertThat(logs).extracting(RequestLog::getResponseStatus)
                    .containsExactly(ResponseStatus.OK, ResponseStatus.OK, ResponseStatus.CLIENT_ERROR);
            assertThat(logs).extracting(RequestLog::getEndpoint)
                    .containsExactly("/index.html", "/a.txt", "/missing/{id}");
            RequestLog first = logs.get(0);
            assertThat(first.getObservationPoint()).isEqualTo(ObservationPoint.SERVER_PROCESS);
            assertThat(first.getL7Protocol()).isEqualTo(L7Protocol.HTTP1);
            assertThat(first.getServerPid()).isEqualTo(CapturedFlows.SERVER_PID);
            assertThat(first.getServerService()).isEqualTo("server");
            assertThat(first.getClientPid()).isNull();
            assertThat(first.getServerPort()).isEqualTo(c.server().port());
            assertThat(first.getClientPort()).isEqualTo(c.client().port());
            assertThat(first.getReqTcpSeq()).isEqualTo(c.seqBase()[0]);
            assertThat(first.getRespTcpSeq()).isEqualTo(c.seqBase()[1]);
            assertThat(first.getResponseDurationUs()).isEqualTo(first.getEndTimeUs() - first.getStartTimeUs())
                    .isPositive();
            assertThat(first.getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
            assertThat(logs).extracting(RequestLog::getLogId).doesNotHaveDuplicates();
            assertThat(logs).extracting(RequestLog::getFlowId).containsOnly(first.getFlowId());

            // nothing final before the close's grace period has passed in event time
            assertThat(flowLogs(harness)).isEmpty();
            harness.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(
                    endMs(c) + OPTIONS.closeGrace().toMillis() + 10));

            List<FlowLog> flows = flowLogs(harness);
            assertThat(flows).hasSize(1);
            FlowLog flow = flows.get(0);
            assertThat(flow.getIsFinal()).isTrue();
            assertThat(flow.getCloseType()).isEqualTo(CloseType.NORMAL);
            assertThat(flow.getL7Protocol()).isEqualTo(L7Protocol.HTTP1);
            assertThat(flow.getBytesClientToServer()).isEqualTo(183 + 178 + 183);
            assertThat(flow.getBytesServerToClient()).isEqualTo(276 + 253 + 308);
            assertThat(flow.getFlowId()).isEqualTo(first.getFlowId());
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aRequestWithoutResponseTimesOutAndAnIdleFlowExpiresLeavingNothing() throws Exception {
        Connection c = CapturedFlows.golden("redis/01-set-get").connections().get(0);
        List<SocketDataEvent> events = CapturedFlows.dataEvents(c, Role.CLIENT, SOCKET);
        try (var harness = harness()) {
            feed(harness, events.subList(0, 1)); // the SET, never answered
            long sentMs = events.get(0).getTimestampNs() / 1_000_000L;

            harness.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(
                    sentMs + OPTIONS.requestTimeout().toMillis() + 1));
            List<RequestLog> logs = requestLogs(harness);
            assertThat(logs).hasSize(1);
            assertThat(logs.get(0).getResponseStatus()).isEqualTo(ResponseStatus.TIMEOUT);
            assertThat(logs.get(0).getRequestType()).isEqualTo("SET");
            assertThat(logs.get(0).getObservationPoint()).isEqualTo(ObservationPoint.CLIENT_PROCESS);
            assertThat(logs.get(0).getResponseDurationUs()).isNull();
            assertThat(harness.numKeyedStateEntries()).isEqualTo(1);

            harness.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(
                    sentMs + OPTIONS.idleTimeout().toMillis() + 1));
            List<FlowLog> flows = flowLogs(harness);
            assertThat(flows).last().satisfies(f -> {
                assertThat(f.getIsFinal()).isTrue();
                assertThat(f.getCloseType()).isEqualTo(CloseType.TIMEOUT);
            });
            assertThat(flows).extracting(FlowLog::getSequence).isSorted().doesNotHaveDuplicates();
            assertThat(requestLogs(harness)).hasSize(1);
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void snapshotMidExchangeRestoresIntoAFreshHarnessWithIdenticalOutput() throws Exception {
        Connection c = CapturedFlows.golden("http1/06-pipelined").connections().get(0);
        List<SocketDataEvent> events = CapturedFlows.dataEvents(c, Role.SERVER, SOCKET);
        TcpEvent close = CapturedFlows.close(c, Role.SERVER, SOCKET);
        long endWatermark = endMs(c) + OPTIONS.closeGrace().toMillis() + 10;

        List<Object> uninterrupted;
        try (var harness = harness()) {
            feed(harness, events);
            feed(harness, close);
            harness.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(endWatermark));
            uninterrupted = new ArrayList<>(requestLogs(harness));
            uninterrupted.addAll(flowLogs(harness));
        }
        assertThat(uninterrupted).hasSizeGreaterThan(2);

        int half = events.size() / 2;
        OperatorSubtaskState snapshot;
        List<Object> restored = new ArrayList<>();
        try (var before = harness()) {
            feed(before, events.subList(0, half));
            snapshot = before.snapshot(1, 1);
            restored.addAll(requestLogs(before));
        }
        try (var after = unopened()) {
            after.initializeState(snapshot);
            after.open();
            feed(after, events.subList(half, events.size()));
            feed(after, close);
            after.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(endWatermark));
            restored.addAll(requestLogs(after));
            restored.addAll(flowLogs(after));
            assertThat(after.numKeyedStateEntries()).isZero();
            assertThat(after.numEventTimeTimers()).isZero();
        }
        assertThat(restored).isEqualTo(uninterrupted);
    }

    /**
     * A checkpoint may fall between any two events, and a restored flow decodes its in-flight parts only when it is
     * next touched: cut a pipelined exchange (and a reordered one) at every event, restore, finish, and the output
     * must be the uninterrupted one each time.
     */
    @Test
    void snapshotAfterAnyEventRestoresToTheSameOutput() throws Exception {
        Connection c = CapturedFlows.golden("http1/06-pipelined").connections().get(0);
        List<SocketDataEvent> inOrder = CapturedFlows.dataEvents(c, Role.SERVER, SOCKET);
        List<SocketDataEvent> reordered = new ArrayList<>(inOrder);
        int swap = firstPairOfSameDirection(reordered);
        reordered.set(swap, inOrder.get(swap + 1));
        reordered.set(swap + 1, inOrder.get(swap));
        TcpEvent close = CapturedFlows.close(c, Role.SERVER, SOCKET);
        long endWatermark = endMs(c) + OPTIONS.closeGrace().toMillis() + 10;
        for (List<SocketDataEvent> events : List.of(inOrder, reordered)) {
            List<Object> uninterrupted = new ArrayList<>();
            try (var harness = harness()) {
                feed(harness, events);
                feed(harness, close);
                harness.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(endWatermark));
                uninterrupted.addAll(requestLogs(harness));
                uninterrupted.addAll(flowLogs(harness));
            }
            for (int cut = 1; cut < events.size(); cut++) {
                List<Object> restored = new ArrayList<>();
                OperatorSubtaskState snapshot;
                try (var before = harness()) {
                    feed(before, events.subList(0, cut));
                    // twice: the second snapshot writes the in-flight bytes the first one encoded
                    before.snapshot(1, 1);
                    snapshot = before.snapshot(2, 2);
                    restored.addAll(requestLogs(before));
                }
                try (var after = unopened()) {
                    after.initializeState(snapshot);
                    after.open();
                    feed(after, events.subList(cut, events.size()));
                    feed(after, close);
                    after.processBothWatermarks(
                            new org.apache.flink.streaming.api.watermark.Watermark(endWatermark));
                    restored.addAll(requestLogs(after));
                    restored.addAll(flowLogs(after));
                    assertThat(after.numKeyedStateEntries()).isZero();
                }
                assertThat(restored).as("cut after event %d of %d", cut, events.size()).isEqualTo(uninterrupted);
            }
        }
    }

    @Test
    void eventsOfOneDirectionArrivingOutOfOrderAreDecodedInByteOrder() throws Exception {
        Connection c = CapturedFlows.golden("redis/04-pipeline-cli").connections().get(0);
        List<SocketDataEvent> inOrder = CapturedFlows.dataEvents(c, Role.CLIENT, SOCKET);
        List<SocketDataEvent> swapped = new ArrayList<>(inOrder);
        int i = firstPairOfSameDirection(swapped);
        swapped.set(i, inOrder.get(i + 1));
        swapped.set(i + 1, inOrder.get(i));

        assertThat(resources(run(swapped, c))).isEqualTo(resources(run(inOrder, c))).isNotEmpty();
    }

    @Test
    void idsPairResponsesForHttp2AndDns() throws Exception {
        for (String golden : List.of("http2/01-get-200", "dns/09-udp-multi")) {
            Capture capture = CapturedFlows.golden(golden);
            for (Connection c : capture.connections()) {
                List<RequestLog> logs = run(CapturedFlows.dataEvents(c, Role.CLIENT, SOCKET), c);
                assertThat(logs).as(golden).isNotEmpty().allSatisfy(log -> {
                    assertThat(log.getRequestId()).isNotNull();
                    assertThat(log.getResponseStatus()).isNotEqualTo(ResponseStatus.TIMEOUT);
                    assertThat(log.getRequestType()).isNotNull();
                });
            }
        }
    }

    @Test
    void oversizedAndInconsistentEventsAreDeadLettersAndLeaveNoState() throws Exception {
        Connection c = CapturedFlows.golden("http1/01-get-keepalive").connections().get(0);
        SocketDataEvent good = CapturedFlows.dataEvents(c, Role.SERVER, SOCKET).get(0);
        SocketDataEvent oversized = SocketDataEvent.newBuilder(good)
                .setPayload(ByteBuffer.wrap(new byte[OPTIONS.maxPayloadBytes() + 1]))
                .setByteCount(10L * 1024 * 1024).build();
        SocketDataEvent inconsistent = SocketDataEvent.newBuilder(good).setByteCount(1).build();
        try (var harness = harness()) {
            feed(harness, List.of(oversized, inconsistent));

            List<DeadLetter> letters = harness.getSideOutput(DeadLetters.OUTPUT_TAG).stream()
                    .map(StreamRecord::getValue).collect(Collectors.toList());
            assertThat(letters).extracting(DeadLetter::getReason)
                    .containsExactly(DeadLetterReason.OVERSIZED, DeadLetterReason.INVALID_EVENT);
            assertThat(letters).allSatisfy(l -> assertThat(l.getErrorMessage()).contains("payload bytes"));
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(requestLogs(harness)).isEmpty();
        }
    }

    @Test
    void garbageIsAnUnknownFlowWithBytesCountedButNoRequestLogs() throws Exception {
        Connection c = CapturedFlows.golden("http1/01-get-keepalive").connections().get(0);
        List<SocketDataEvent> events = new ArrayList<>();
        for (SocketDataEvent e : CapturedFlows.dataEvents(c, Role.SERVER, SOCKET)) {
            byte[] noise = new byte[e.getPayload().remaining()];
            for (int i = 0; i < noise.length; i++) {
                noise[i] = (byte) (i * 131 + 7);
            }
            events.add(SocketDataEvent.newBuilder(e).setPayload(ByteBuffer.wrap(noise)).build());
        }
        try (var harness = harness()) {
            feed(harness, events);
            feed(harness, CapturedFlows.close(c, Role.SERVER, SOCKET));
            harness.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(Long.MAX_VALUE));

            assertThat(requestLogs(harness)).isEmpty();
            List<FlowLog> flows = flowLogs(harness);
            assertThat(flows).hasSize(1);
            assertThat(flows.get(0).getL7Protocol()).isEqualTo(L7Protocol.UNKNOWN);
            assertThat(flows.get(0).getBytesClientToServer() + flows.get(0).getBytesServerToClient())
                    .isEqualTo(events.stream().mapToLong(SocketDataEvent::getByteCount).sum());
            assertThat(harness.numKeyedStateEntries()).isZero();
        }
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, SocketDataEvent, TcpEvent, RequestLog> harness()
            throws Exception {
        var harness = unopened();
        harness.open();
        return harness;
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, SocketDataEvent, TcpEvent, RequestLog> unopened()
            throws Exception {
        var harness = new KeyedTwoInputStreamOperatorTestHarness<>(
                new KeyedCoProcessOperator<>(new FlowReassembler(OPTIONS)), FlowKeys.data(), FlowKeys.tcp(),
                Types.STRING);
        // the output type, which the harness would otherwise ask flink-avro for
        harness.setup(AvroSpecificTypeInfo.forRecord(RequestLog.class).createSerializer(new SerializerConfigImpl()));
        return harness;
    }

    private static List<RequestLog> run(List<SocketDataEvent> events, Connection c) throws Exception {
        try (var harness = harness()) {
            feed(harness, events);
            harness.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(Long.MAX_VALUE));
            return requestLogs(harness);
        }
    }

    private static void feed(KeyedTwoInputStreamOperatorTestHarness<String, SocketDataEvent, TcpEvent, RequestLog> h,
            List<SocketDataEvent> events) throws Exception {
        for (SocketDataEvent e : events) {
            h.processElement1(new StreamRecord<>(e, e.getTimestampNs() / 1_000_000L));
        }
    }

    private static void feed(KeyedTwoInputStreamOperatorTestHarness<String, SocketDataEvent, TcpEvent, RequestLog> h,
            TcpEvent event) throws Exception {
        h.processElement2(new StreamRecord<>(event, event.getTimestampNs() / 1_000_000L));
    }

    private static List<RequestLog> requestLogs(
            KeyedTwoInputStreamOperatorTestHarness<String, SocketDataEvent, TcpEvent, RequestLog> h) {
        return h.extractOutputValues();
    }

    private static List<FlowLog> flowLogs(
            KeyedTwoInputStreamOperatorTestHarness<String, SocketDataEvent, TcpEvent, RequestLog> h) {
        Collection<StreamRecord<FlowLog>> out = h.getSideOutput(FlowReassembler.FLOW_LOGS);
        return out == null ? List.of() : out.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    private static List<String> resources(List<RequestLog> logs) {
        return logs.stream().map(l -> l.getRequestType() + " " + l.getRequestResource() + " " + l.getResponseStatus())
                .collect(Collectors.toList());
    }

    private static int firstPairOfSameDirection(List<SocketDataEvent> events) {
        for (int i = 0; i + 1 < events.size(); i++) {
            if (events.get(i).getDirection() == events.get(i + 1).getDirection()) {
                return i;
            }
        }
        throw new IllegalStateException("capture has no two consecutive segments in one direction");
    }

    private static long endMs(Connection c) {
        return c.segments().get(c.segments().size() - 1).segment().timestampNs() / 1_000_000L + 1;
    }
}
