package io.tapflow.flowagg.reassembly;

import io.tapflow.flink.deadletter.DeadLetterException;
import io.tapflow.flink.deadletter.DeadLetters;
import io.tapflow.flink.flow.FlowKeys;
import io.tapflow.flink.flow.SegmentOrdering;
import io.tapflow.flink.flow.SegmentTimes;
import io.tapflow.flink.serde.AvroSpecificTypeInfo;
import io.tapflow.protocols.ConnectionDecoders;
import io.tapflow.protocols.DecodeError;
import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.MessageKind;
import io.tapflow.protocols.MessageSink;
import io.tapflow.protocols.ProtocolRegistry;
import io.tapflow.protocols.Segment;
import io.tapflow.protocols.endpoint.EndpointNormalizer;
import io.tapflow.schema.CloseType;
import io.tapflow.schema.DeadLetterReason;
import io.tapflow.schema.Direction;
import io.tapflow.schema.FlowLog;
import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Turns the raw events of one socket (keyed by {@link FlowKeys#of}) into request logs and L4 flow logs: orders each
 * direction by data_seq, detects the protocol (sticky), decodes both directions incrementally, pairs requests with
 * responses, and closes what never completes on event-time deadlines.
 *
 * <p>State: one {@link FlowSession} per flow, from its first event until a grace period after its close event, or
 * until it idles out. Timers: at most a few per flow at any time (the next deadline), all deleted when the flow ends,
 * so an ended flow leaves no keyed state and no timer behind.
 *
 * <p>Outputs: request logs (main), flow logs ({@link #FLOW_LOGS}), dead letters ({@link DeadLetters#OUTPUT_TAG}) for
 * events that cannot be processed (oversized, inconsistent); the job never fails on data.
 */
public final class FlowReassembler extends KeyedCoProcessFunction<String, SocketDataEvent, TcpEvent, RequestLog> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<FlowLog> FLOW_LOGS =
            new OutputTag<>("flow-logs", AvroSpecificTypeInfo.forRecord(FlowLog.class));
    public static final String JOB = "flow-aggregation";
    public static final String STAGE = "flow-reassembler";

    private static final byte[] NO_BYTES = new byte[0];
    /** Attribute parsers set on requests nothing answers. */
    private static final String ONE_WAY = "one_way";

    private final ReassemblyOptions options;

    private transient ValueState<FlowSession> flows;
    private transient ProtocolRegistry registry;
    private transient RequestLogFactory requestLogs;
    private transient FlowLogFactory flowLogs;
    private transient ReassemblyMetrics metrics;

    public FlowReassembler(ReassemblyOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    public void open(OpenContext context) {
        flows = getRuntimeContext().getState(
                new ValueStateDescriptor<>("flow", FlowSessionSerializer.TYPE_INFO));
        registry = ProtocolRegistry.defaults(options.parserOptions());
        ServiceNamer services = new ServiceNamer(options.services());
        requestLogs = new RequestLogFactory(EndpointNormalizer.defaults(), services);
        flowLogs = new FlowLogFactory(services);
        metrics = new ReassemblyMetrics(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement1(SocketDataEvent event, Context ctx, Collector<RequestLog> out) throws Exception {
        // compute first, emit last: an exception thrown by a downstream operator inside collect() must fail the
        // job, not turn this event into a dead letter
        List<RequestLog> logs = new ArrayList<>(2);
        try {
            onData(event, ctx, logs::add);
        } catch (RuntimeException e) {
            deadLetter(e, ctx, event.getTimestampNs(), bytes(event.getPayload()));
            return;
        }
        logs.forEach(out::collect);
    }

    @Override
    public void processElement2(TcpEvent event, Context ctx, Collector<RequestLog> out) throws Exception {
        try {
            onTcp(event, ctx);
        } catch (RuntimeException e) {
            deadLetter(e, ctx, event.getTimestampNs(), null);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RequestLog> collector) throws Exception {
        Consumer<RequestLog> out = collector::collect;
        FlowSession flow = flows.value();
        if (flow == null) {
            return;
        }
        flow.timers.headSet(timestamp, true).clear();
        long nowNs = timestamp * 1_000_000L;
        long waitNs = options.reorderWait().toNanos();
        // most timers of an idle flow (its flow-log interval) have nothing in flight to expire: the in-flight parts
        // are then neither decoded nor re-encoded
        boolean inFlightDue = flow.inFlightDeadlineNs >= 0 && nowNs >= flow.inFlightDeadlineNs;
        if (inFlightDue) {
            for (int d = 0; d < 2; d++) {
                feedAll(flow, flow.inFlight(registry).ordering[d].expire(nowNs, waitNs), out);
            }
        }
        if (flow.closing() && nowNs >= Math.max(flow.closeNs, flow.clockNs) + options.closeGrace().toNanos()) {
            finish(flow, flow.closeType, flow.closeNs, ctx, out);
            return;
        }
        if (!flow.closing() && nowNs >= flow.clockNs + options.idleTimeout().toNanos()) {
            metrics.flowsExpired.inc();
            finish(flow, CloseType.TIMEOUT, flow.lastEventNs, ctx, out);
            return;
        }
        if (inFlightDue) {
            RequestPairing pending = flow.inFlight(registry).pending;
            for (PendingRequest p : pending.expire(nowNs - options.requestTimeout().toNanos())) {
                emit(requestLogs.timedOut(flow, p, "no response within " + options.requestTimeout()), out);
            }
        }
        if (nowNs >= flow.lastFlowLogNs + options.flowLogInterval().toNanos()) {
            ctx.output(FLOW_LOGS, flowLogs.emission(flow, flow.lastEventNs, false));
            metrics.flowLogs.inc();
            flow.lastFlowLogNs = nowNs;
        }
        schedule(flow, ctx.timerService());
        flows.update(flow);
    }

    private void onData(SocketDataEvent event, Context ctx, Consumer<RequestLog> out) throws Exception {
        int captured = event.getPayload().remaining();
        if (captured > options.maxPayloadBytes()) {
            throw new DeadLetterException(DeadLetterReason.OVERSIZED, "data event carries " + captured
                    + " payload bytes, more than the " + options.maxPayloadBytes() + " accepted");
        }
        if (event.getByteCount() < captured || event.getDataSeq() < 0
                || event.getDirection() == Direction.UNKNOWN) {
            throw new DeadLetterException(DeadLetterReason.INVALID_EVENT, "inconsistent data event: direction "
                    + event.getDirection() + ", byte_count " + event.getByteCount() + ", " + captured
                    + " payload bytes, data_seq " + event.getDataSeq());
        }
        metrics.dataEvents.inc();
        if (event.getTimestampNs() / 1_000_000L < ctx.timerService().currentWatermark()) {
            metrics.lateEvents.inc();
        }
        FlowSession flow = flows.value();
        if (flow == null) {
            flow = FlowSession.start(event);
            metrics.flowsOpened.inc();
        } else {
            flow.learn(event);
        }
        flow.firstEventNs = Math.min(flow.firstEventNs, event.getTimestampNs());
        flow.lastEventNs = Math.max(flow.lastEventNs, event.getTimestampNs());
        flow.clockNs = Math.max(flow.clockNs, clock(event.getTimestampNs(), ctx));
        SegmentOrdering ordering = flow.inFlight(registry).ordering[event.getDirection() == Direction.EGRESS ? 1 : 0];
        feedAll(flow, ordering.accept(event, options.maxHeldSegments()), out);
        schedule(flow, ctx.timerService());
        flows.update(flow);
    }

    private void onTcp(TcpEvent event, Context ctx) throws Exception {
        metrics.tcpEvents.inc();
        FlowSession flow = flows.value();
        if (flow == null) {
            flow = FlowSession.start(event);
            metrics.flowsOpened.inc();
        } else {
            flow.learn(event);
        }
        flow.firstEventNs = Math.min(flow.firstEventNs, event.getTimestampNs());
        flow.lastEventNs = Math.max(flow.lastEventNs, event.getTimestampNs());
        flow.clockNs = Math.max(flow.clockNs, clock(event.getTimestampNs(), ctx));
        switch (event.getType()) {
            case CONNECT_ESTABLISHED -> flow.connectLatencyNs = event.getConnectLatencyNs();
            case CONNECT_FAILED -> close(flow, CloseType.CONNECT_FAILED, event.getTimestampNs());
            case RETRANSMIT -> flow.retransmits = Math.max(flow.retransmits + 1,
                    event.getRetransmitCount() == null ? 0 : event.getRetransmitCount());
            case RTT_SAMPLE -> flow.srttUs = event.getSrttUs();
            case RESET_RECEIVED, RESET_SENT -> flow.resets++;
            case CLOSE -> close(flow, event.getCloseType() != null && event.getCloseType() != CloseType.UNKNOWN
                    ? event.getCloseType() : flow.resets > 0 ? CloseType.RESET : CloseType.NORMAL,
                    event.getTimestampNs());
            default -> { }
        }
        schedule(flow, ctx.timerService());
        flows.update(flow);
    }

    private static void close(FlowSession flow, CloseType type, long atNs) {
        if (!flow.closing()) {
            flow.closeType = type;
            flow.closeNs = atNs;
        }
    }

    private void feedAll(FlowSession flow, List<SegmentOrdering.Ready> ready, Consumer<RequestLog> out) {
        for (SegmentOrdering.Ready r : ready) {
            feed(flow, r, out);
        }
    }

    private void feed(FlowSession flow, SegmentOrdering.Ready ready, Consumer<RequestLog> out) {
        SocketDataEvent e = ready.event();
        FlowDirection direction = flow.flowDirection(e.getDirection());
        flow.bytes[direction.ordinal()] += e.getByteCount();
        flow.syscalls[direction.ordinal()]++;
        Segment segment = segment(e);
        InFlight inFlight = flow.inFlight(registry);
        if (!flow.detector.decided()) {
            L7Protocol protocol = flow.detector.observe(registry, segment.bytes(), segment.offset(),
                    segment.length(), direction, options.minConfidence(), options.detectionAttempts());
            if (protocol == null) {
                // undecided: keep the segment, the message it starts may be recognisable only by its answer (empty
                // ones carry nothing to decode and do not count as detection attempts, so they are not kept)
                if (segment.length() > 0 && inFlight.undecided.size() < options.detectionAttempts()) {
                    inFlight.undecided.add(ready);
                }
                return;
            }
            if (protocol == L7Protocol.UNKNOWN) {
                metrics.unknownProtocolFlows.inc();
                inFlight.undecided.clear();
                return;
            }
            inFlight.decoders = registry.parser(protocol).orElseThrow().newConnection();
            // the segments seen while undecided come first (a pipelined inline Redis request is only sure to be
            // Redis once its "+OK" answer is seen)
            for (SegmentOrdering.Ready earlier : inFlight.undecided) {
                decode(flow, earlier, segment(earlier.event()), out);
            }
            inFlight.undecided.clear();
        }
        if (inFlight.decoders != null) {
            decode(flow, ready, segment, out);
        }
    }

    private void decode(FlowSession flow, SegmentOrdering.Ready ready, Segment segment, Consumer<RequestLog> out) {
        SocketDataEvent e = ready.event();
        FlowDirection direction = flow.flowDirection(e.getDirection());
        FlowSink sink = new FlowSink(flow, e.getTid(), out);
        ConnectionDecoders decoders = flow.inFlight(registry).decoders;
        if (ready.missing() > 0) {
            metrics.holesSkipped.inc();
            decoders.of(direction).feed(new Segment(NO_BYTES, 0, 0, ready.missing(), e.getTimestampNs(),
                    Segment.NO_TCP_SEQ, 0), sink);
        }
        decoders.of(direction).feed(segment, sink);
    }

    /** The call's captured bytes as the decoders take them, without copying the payload. */
    private static Segment segment(SocketDataEvent e) {
        ByteBuffer payload = e.getPayload();
        byte[] array;
        int offset;
        if (payload.hasArray()) {
            array = payload.array();
            offset = payload.arrayOffset() + payload.position();
        } else {
            array = bytes(payload);
            offset = 0;
        }
        long tcpSeq = e.getTcpSeq() == null ? Segment.NO_TCP_SEQ : e.getTcpSeq();
        return new Segment(array, offset, payload.remaining(), e.getByteCount(), SegmentTimes.observedNs(e), tcpSeq,
                e.getThreadTraceId());
    }

    private void finish(FlowSession flow, CloseType closeType, long endNs, Context ctx, Consumer<RequestLog> out)
            throws Exception {
        InFlight inFlight = flow.inFlight(registry);
        for (int d = 0; d < 2; d++) {
            feedAll(flow, inFlight.ordering[d].flush(), out);
        }
        if (inFlight.decoders != null) {
            inFlight.decoders.clientToServer().close(new FlowSink(flow, 0, out));
            inFlight.decoders.serverToClient().close(new FlowSink(flow, 0, out));
        } else if (!inFlight.undecided.isEmpty()) {
            // ended before detection could decide: its payload matched no protocol either
            metrics.unknownProtocolFlows.inc();
        }
        for (PendingRequest p : inFlight.pending.drain()) {
            emit(requestLogs.timedOut(flow, p, closeType == CloseType.TIMEOUT
                    ? "flow idle for " + options.idleTimeout() : "connection closed before a response"), out);
        }
        flow.closeType = closeType == null ? CloseType.UNKNOWN : closeType;
        ctx.output(FLOW_LOGS, flowLogs.emission(flow, Math.max(endNs, flow.lastEventNs), true));
        metrics.flowLogs.inc();
        metrics.flowsClosed.inc();
        for (long t : flow.timers) {
            ctx.timerService().deleteEventTimeTimer(t);
        }
        flows.clear();
    }

    /** Registers the flow's next deadline unless an earlier timer is already registered. */
    private void schedule(FlowSession flow, TimerService timers) {
        long deadline = flow.closing() ? Math.max(flow.closeNs, flow.clockNs) + options.closeGrace().toNanos()
                : flow.clockNs + options.idleTimeout().toNanos();
        if (flow.inFlightDecoded()) {
            flow.inFlightDeadlineNs = inFlightDeadline(flow.peekInFlight(registry));
        }
        if (flow.inFlightDeadlineNs >= 0) {
            deadline = Math.min(deadline, flow.inFlightDeadlineNs);
        }
        deadline = Math.min(deadline, flow.lastFlowLogNs + options.flowLogInterval().toNanos());
        long ms = Math.floorDiv(deadline, 1_000_000L) + 1;
        if (flow.timers.isEmpty() || ms < flow.timers.first()) {
            timers.registerEventTimeTimer(ms);
            flow.timers.add(ms);
        }
    }

    /** When a pending request times out or a hole is given up, whichever is first; -1 when neither waits. */
    private long inFlightDeadline(InFlight inFlight) {
        long deadline = Long.MAX_VALUE;
        long oldest = inFlight.pending.oldestStartNs();
        if (oldest >= 0) {
            deadline = oldest + options.requestTimeout().toNanos();
        }
        for (SegmentOrdering o : inFlight.ordering) {
            long hole = o.deadlineNs(options.reorderWait().toNanos());
            if (hole >= 0) {
                deadline = Math.min(deadline, hole);
            }
        }
        return deadline == Long.MAX_VALUE ? -1 : deadline;
    }

    /** The event-time clock an event is seen at: its own time, or the watermark when it is late. */
    private long clock(long timestampNs, Context ctx) {
        long watermark = ctx.timerService().currentWatermark();
        if (watermark == Long.MIN_VALUE) {
            return timestampNs;
        }
        long watermarkNs = watermark > Long.MAX_VALUE / 1_000_000L ? Long.MAX_VALUE : watermark * 1_000_000L;
        return Math.max(timestampNs, watermarkNs);
    }

    private void emit(RequestLog log, Consumer<RequestLog> out) {
        metrics.requestLogs.inc();
        out.accept(log);
    }

    private void deadLetter(RuntimeException e, Context ctx, long timestampNs, byte[] original) {
        DeadLetterReason reason = e instanceof DeadLetterException d ? d.reason() : DeadLetterReason.PROCESSING_ERROR;
        DeadLetters.Builder letter = DeadLetters.builder(JOB, STAGE).reason(reason).error(e)
                .inputKey(ctx.getCurrentKey(), timestampNs / 1_000_000L);
        if (original != null) {
            letter.originalBytes(original);
        }
        ctx.output(DeadLetters.OUTPUT_TAG, letter.build());
        metrics.deadLetter(reason);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** Pairs what the decoders emit; one per fed segment, so it knows the calling thread. */
    private final class FlowSink implements MessageSink {
        private final FlowSession flow;
        private final int tid;
        private final Consumer<RequestLog> out;

        FlowSink(FlowSession flow, int tid, Consumer<RequestLog> out) {
            this.flow = flow;
            this.tid = tid;
            this.out = out;
        }

        @Override
        public void message(L7Message message) {
            metrics.messages.inc();
            boolean request = message.kind() == MessageKind.REQUEST;
            long ordinal = flow.messageOrdinals[request ? 0 : 1]++;
            if (request && "true".equals(message.attributes().get(ONE_WAY))) {
                // nothing answers it (PostgreSQL Terminate, MySQL COM_QUIT, MQTT QoS 0, Kafka acks=0): log it now
                emit(requestLogs.oneWay(flow, new PendingRequest(message, tid, ordinal, flow.clockNs)), out);
                return;
            }
            if (request) {
                RequestPairing pending = flow.inFlight(registry).pending;
                for (PendingRequest evicted : pending.add(new PendingRequest(message, tid, ordinal,
                        Math.max(message.startTimestampNs(), flow.clockNs)),
                        options.maxPendingRequests())) {
                    metrics.pendingEvicted.inc();
                    emit(requestLogs.timedOut(flow, evicted, "too many requests awaiting a response"), out);
                }
                return;
            }
            PendingRequest answered = flow.inFlight(registry).pending.match(message);
            emit(answered == null ? requestLogs.responseOnly(flow, message, tid, ordinal)
                    : requestLogs.paired(flow, answered, message, tid), out);
        }

        @Override
        public void error(DecodeError error) {
            metrics.decodeErrors.inc();
        }
    }
}
