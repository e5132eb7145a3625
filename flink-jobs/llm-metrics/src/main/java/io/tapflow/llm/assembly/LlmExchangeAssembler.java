package io.tapflow.llm.assembly;

import io.tapflow.flink.deadletter.DeadLetterException;
import io.tapflow.flink.deadletter.DeadLetters;
import io.tapflow.flink.flow.FlowKeys;
import io.tapflow.flink.flow.SegmentOrdering;
import io.tapflow.flink.flow.SegmentTimes;
import io.tapflow.flink.serde.JavaSerializedTypeInfo;
import io.tapflow.llm.recognition.LlmExchange;
import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.MessageKind;
import io.tapflow.protocols.ProtocolParser;
import io.tapflow.protocols.Segment;
import io.tapflow.protocols.http1.Http1Parser;
import io.tapflow.schema.DeadLetterReason;
import io.tapflow.schema.Direction;
import io.tapflow.schema.Role;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import io.tapflow.schema.TcpEventType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The job's front end: the raw events of one socket (keyed by {@link FlowKeys#of}) → {@link LlmExchange}s. Orders
 * each direction by data_seq ({@link SegmentOrdering}), decodes HTTP/1 with bodies and stream events kept, pairs
 * requests and responses in order, and ends each exchange when its response ends ({@code RESPONSE_ENDED}), when the
 * connection closes or bytes were lost before it ended ({@code CUT}: the partial response, with the events seen so
 * far, goes with it) or when it outlives the exchange timeout in event time ({@code TIMEOUT}).
 *
 * <p>Only LLM traffic is held: a flow whose first request is not on an LLM route (read from its request line when
 * the first segment holds it) or that does not start with an HTTP/1 request is dropped at once; a tombstone of two
 * longs keeps its later events from starting it again, until its close or idle eviction. Requests are passed
 * through {@link io.tapflow.llm.recognition.TenantResolver#redact} as soon as they are decoded, so API keys never
 * reach state or checkpoints.
 *
 * <p>State: one {@link LlmFlow} per LLM flow (or one tombstone per dropped flow) and at most one event-time timer
 * per key, deleted when the flow ends: an ended flow leaves no keyed state and no timer. A flow after a loss or a
 * timeout is not decoded further (its framing is gone) and becomes a tombstone.
 *
 * <p>Outputs: exchanges (main), dead letters ({@link DeadLetters#OUTPUT_TAG}) for events that cannot be processed.
 */
public final class LlmExchangeAssembler extends KeyedCoProcessFunction<String, SocketDataEvent, TcpEvent, LlmExchange> {

    private static final long serialVersionUID = 1L;

    public static final String JOB = "llm-metrics";
    public static final String STAGE = "llm-exchange-assembler";

    private final AssemblyOptions options;

    private transient ValueState<LlmFlow> flows;
    /** Dropped flow: {last event ns, registered timer ms}. */
    private transient ValueState<long[]> dropped;
    private transient Http1Parser parser;
    private transient Counters counters;

    public LlmExchangeAssembler(AssemblyOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    public void open(OpenContext context) {
        flows = getRuntimeContext().getState(
                new ValueStateDescriptor<>("llm-flow", JavaSerializedTypeInfo.forClass(LlmFlow.class)));
        dropped = getRuntimeContext().getState(
                new ValueStateDescriptor<>("dropped-flow", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        parser = new Http1Parser(options.parserOptions());
        counters = new Counters(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement1(SocketDataEvent event, Context ctx, Collector<LlmExchange> out) throws Exception {
        // compute first, emit last: an exception of a downstream operator must fail the job, not make a dead letter
        List<LlmExchange> done = new ArrayList<>(1);
        try {
            onData(event, ctx, done);
        } catch (RuntimeException e) {
            deadLetter(e, ctx, event.getTimestampNs());
            return;
        }
        done.forEach(out::collect);
    }

    @Override
    public void processElement2(TcpEvent event, Context ctx, Collector<LlmExchange> out) throws Exception {
        try {
            onTcp(event, ctx);
        } catch (RuntimeException e) {
            deadLetter(e, ctx, event.getTimestampNs());
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<LlmExchange> out) throws Exception {
        long nowNs = timestamp * 1_000_000L;
        long[] tomb = dropped.value();
        if (tomb != null) {
            if (nowNs >= tomb[0] + options.idleTimeout().toNanos()) {
                dropped.clear();
            } else {
                tomb[1] = registerAt(tomb[0] + options.idleTimeout().toNanos(), ctx.timerService());
                dropped.update(tomb);
            }
            return;
        }
        LlmFlow flow = flows.value();
        if (flow == null) {
            return;
        }
        if (timestamp == flow.timerMs) {
            flow.timerMs = -1;
        }
        List<LlmExchange> done = new ArrayList<>(1);
        long waitNs = options.reorderWait().toNanos();
        for (int d = 0; d < 2; d++) {
            if (!feedAll(flow, flow.ordering[d].expire(nowNs, waitNs), ctx, done)) {
                done.forEach(out::collect);
                return;
            }
        }
        if (flow.closing() && nowNs >= Math.max(flow.closeNs, flow.clockNs) + options.closeGrace().toNanos()) {
            finish(flow, ctx, done);
        } else if (!flow.pending.isEmpty()
                && nowNs >= flow.pending.peek().request().startTimestampNs() + options.exchangeTimeout().toNanos()) {
            timeOut(flow, nowNs, ctx, done);
        } else if (!flow.closing() && nowNs >= flow.clockNs + options.idleTimeout().toNanos()) {
            counters.flowsEvicted.inc();
            timeOut(flow, nowNs, ctx, done);
        } else {
            schedule(flow, ctx.timerService());
            flows.update(flow);
        }
        done.forEach(out::collect);
    }

    private void onData(SocketDataEvent event, Context ctx, List<LlmExchange> done) throws Exception {
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
        if (touchDropped(event.getTimestampNs())) {
            return;
        }
        LlmFlow flow = flows.value();
        if (flow == null) {
            flow = new LlmFlow(event.getAgentId().toString(), event.getSocketId(), comm(event.getComm()),
                    event.getRole() == null ? Role.UNKNOWN : event.getRole(), event.getTimestampNs());
            counters.flowsOpened.inc();
        } else {
            flow.learn(event);
        }
        flow.lastEventNs = Math.max(flow.lastEventNs, event.getTimestampNs());
        flow.clockNs = Math.max(flow.clockNs, clock(event.getTimestampNs(), ctx));
        SegmentOrdering ordering = flow.ordering[LlmFlow.index(event.getDirection())];
        if (feedAll(flow, ordering.accept(event, options.maxHeldSegments()), ctx, done)) {
            schedule(flow, ctx.timerService());
            flows.update(flow);
        }
    }

    private void onTcp(TcpEvent event, Context ctx) throws Exception {
        boolean close = event.getType() == TcpEventType.CLOSE || event.getType() == TcpEventType.CONNECT_FAILED;
        long[] tomb = dropped.value();
        if (tomb != null) {
            if (close) {
                ctx.timerService().deleteEventTimeTimer(tomb[1]);
                dropped.clear();
            }
            return;
        }
        LlmFlow flow = flows.value();
        if (flow == null) {
            if (!close) {
                return; // a flow starts with data: connects and RTT samples of other traffic hold nothing here
            }
            // the close of a flow whose data is still on its way: keep it, the data ends it within the grace
            flow = new LlmFlow(event.getAgentId().toString(), event.getSocketId(), comm(event.getComm()),
                    Role.UNKNOWN, event.getTimestampNs());
            counters.flowsOpened.inc();
        }
        flow.lastEventNs = Math.max(flow.lastEventNs, event.getTimestampNs());
        flow.clockNs = Math.max(flow.clockNs, clock(event.getTimestampNs(), ctx));
        if (close && !flow.closing()) {
            flow.closeNs = event.getTimestampNs();
        }
        schedule(flow, ctx.timerService());
        flows.update(flow);
    }

    /** Feeds what the ordering released; false when the flow ended (dropped or lost) on the way. */
    private boolean feedAll(LlmFlow flow, List<SegmentOrdering.Ready> ready, Context ctx, List<LlmExchange> done)
            throws Exception {
        for (SegmentOrdering.Ready r : ready) {
            if (!feed(flow, r, ctx, done)) {
                return false;
            }
        }
        return true;
    }

    private boolean feed(LlmFlow flow, SegmentOrdering.Ready ready, Context ctx, List<LlmExchange> done)
            throws Exception {
        SocketDataEvent e = ready.event();
        if (ready.missing() > 0) {
            // bytes lost: the HTTP framing (and the token events in them) cannot be trusted from here on
            counters.losses.inc();
            endAll(flow, LlmExchange.End.CUT, e.getTimestampNs(), done);
            drop(flow, ctx);
            return false;
        }
        ByteBuffer payload = e.getPayload();
        byte[] array;
        int offset;
        if (payload.hasArray()) {
            array = payload.array();
            offset = payload.arrayOffset() + payload.position();
        } else {
            array = new byte[payload.remaining()];
            payload.duplicate().get(array);
            offset = 0;
        }
        int length = payload.remaining();
        if (length > 0 && !flow.peeked) {
            if (!firstLook(flow, e.getDirection(), array, offset, length)) {
                counters.flowsDropped.inc();
                drop(flow, ctx);
                return false;
            }
        }
        if (flow.decoders == null) {
            if (length == 0) {
                return true; // nothing seen yet that says which way requests go
            }
            flow.decoders = parser.newConnection();
        }
        FlowDirection direction = flow.flowDirection(e.getDirection());
        // data_seq stands in for the TCP sequence number: the decoder then reports the (32-bit) data_seq of each
        // message's first byte, from which the request's data_seq (its id) is recovered exactly
        Segment segment = new Segment(array, offset, length, e.getByteCount(), SegmentTimes.observedNs(e),
                e.getDataSeq() & 0xFFFF_FFFFL, e.getThreadTraceId());
        List<L7Message> messages = new ArrayList<>(1);
        flow.decoders.of(direction).feed(segment, messages::add);
        for (L7Message m : messages) {
            if (m.kind() == MessageKind.REQUEST) {
                if (!request(flow, m, e.getDataSeq(), done)) {
                    counters.flowsDropped.inc();
                    drop(flow, ctx);
                    return false;
                }
            } else {
                response(flow, m, LlmExchange.End.RESPONSE_ENDED, m.endTimestampNs(), done);
            }
        }
        return true;
    }

    /**
     * The first captured bytes of the flow: they must be an HTTP/1 request (which also tells the role when the
     * collector saw neither connect nor accept) whose request line, when complete, is on an LLM route.
     */
    private boolean firstLook(LlmFlow flow, Direction direction, byte[] a, int off, int len) {
        flow.peeked = true;
        boolean request = parser.matches(a, off, len, FlowDirection.CLIENT_TO_SERVER) >= ProtocolParser.MEDIUM;
        if (flow.role == Role.UNKNOWN) {
            if (!request) {
                return false;
            }
            flow.role = direction == Direction.INGRESS ? Role.SERVER : Role.CLIENT;
        }
        if (!request || flow.flowDirection(direction) != FlowDirection.CLIENT_TO_SERVER) {
            return false;
        }
        L7Message line = RequestLine.peek(a, off, len);
        if (line == null) {
            return true; // decide on the decoded request
        }
        flow.recognized = options.endpoints().recognize(line).isPresent();
        return flow.recognized;
    }

    /** A decoded request: recognised (the first one), redacted and queued; false when the flow is not LLM. */
    private boolean request(LlmFlow flow, L7Message request, long segmentDataSeq, List<LlmExchange> done) {
        if (!flow.recognized) {
            if (options.endpoints().recognize(request).isEmpty()) {
                return false;
            }
            flow.recognized = true;
        }
        long dataSeq = request.startTcpSeq() == Segment.NO_TCP_SEQ ? segmentDataSeq
                : segmentDataSeq + (int) (request.startTcpSeq() - (segmentDataSeq & 0xFFFF_FFFFL));
        flow.pending.add(new LlmFlow.Pending(options.tenants().redact(request), dataSeq));
        if (flow.pending.size() > options.maxPending()) {
            LlmFlow.Pending oldest = flow.pending.poll();
            done.add(exchange(flow, oldest, null, LlmExchange.End.TIMEOUT, request.startTimestampNs()));
        }
        return true;
    }

    private void response(LlmFlow flow, L7Message response, LlmExchange.End end, long endNs,
            List<LlmExchange> done) {
        LlmFlow.Pending p = flow.pending.poll();
        if (p == null) {
            counters.unpairedResponses.inc();
            return;
        }
        done.add(exchange(flow, p, response, end, endNs));
    }

    /** The connection is gone: what the decoders hold ends the open exchanges (a truncated response is CUT). */
    private void finish(LlmFlow flow, Context ctx, List<LlmExchange> done) throws Exception {
        for (int d = 0; d < 2; d++) {
            for (SegmentOrdering.Ready r : flow.ordering[d].flush()) {
                if (!feed(flow, r, ctx, done)) {
                    return;
                }
            }
        }
        long endNs = Math.max(flow.closeNs, flow.lastEventNs);
        if (flow.decoders != null) {
            // the request side is not closed: a request the close cut short has no answer to wait for
            List<L7Message> responses = new ArrayList<>(1);
            flow.decoders.serverToClient().close(responses::add);
            for (L7Message r : responses) {
                response(flow, r, r.truncated() ? LlmExchange.End.CUT : LlmExchange.End.RESPONSE_ENDED,
                        r.truncated() ? endNs : r.endTimestampNs(), done);
            }
        }
        endAll(flow, LlmExchange.End.CUT, endNs, done);
        counters.flowsClosed.inc();
        clear(flow, ctx);
    }

    /** The oldest exchange outlived the timeout (or the flow idled out): everything open ends as TIMEOUT. */
    private void timeOut(LlmFlow flow, long nowNs, Context ctx, List<LlmExchange> done) throws Exception {
        endAll(flow, LlmExchange.End.TIMEOUT, nowNs, done);
        if (flow.closing() || nowNs >= flow.clockNs + options.idleTimeout().toNanos()) {
            clear(flow, ctx);
        } else {
            drop(flow, ctx);
        }
    }

    /** Ends every open exchange: the head one with the partial response the decoder holds. */
    private void endAll(LlmFlow flow, LlmExchange.End end, long endNs, List<LlmExchange> done) {
        if (flow.pending.isEmpty()) {
            return;
        }
        List<L7Message> partial = new ArrayList<>(1);
        if (flow.decoders != null) {
            flow.decoders.serverToClient().close(partial::add);
        }
        for (L7Message r : partial) {
            response(flow, r, end, endNs, done);
        }
        while (!flow.pending.isEmpty()) {
            done.add(exchange(flow, flow.pending.poll(), null, end, endNs));
        }
    }

    private LlmExchange exchange(LlmFlow flow, LlmFlow.Pending p, L7Message response, LlmExchange.End end,
            long endNs) {
        counters.exchanges(end).inc();
        return new LlmExchange(p.request(), response, new LlmExchange.Context(flow.agentId, flow.socketId,
                p.dataSeq(), flow.service == null ? "" : flow.service, flow.observationPoint(), end, endNs));
    }

    /** The flow is not (or no longer) LLM traffic it can read: keep only a tombstone until close or idle. */
    private void drop(LlmFlow flow, Context ctx) throws Exception {
        clear(flow, ctx);
        long last = Math.max(flow.lastEventNs, flow.clockNs);
        dropped.update(new long[] {last, registerAt(last + options.idleTimeout().toNanos(), ctx.timerService())});
    }

    private void clear(LlmFlow flow, Context ctx) {
        if (flow.timerMs >= 0) {
            ctx.timerService().deleteEventTimeTimer(flow.timerMs);
            flow.timerMs = -1;
        }
        flows.clear();
    }

    /** A dropped flow's event: only its time is kept. True when the flow is dropped. */
    private boolean touchDropped(long timestampNs) throws Exception {
        long[] tomb = dropped.value();
        if (tomb == null) {
            return false;
        }
        if (timestampNs > tomb[0]) {
            tomb[0] = timestampNs;
            dropped.update(tomb);
        }
        return true;
    }

    /** Registers the flow's next deadline, replacing a later registered timer: one timer per flow at most. */
    private void schedule(LlmFlow flow, TimerService timers) {
        long deadline = flow.closing() ? Math.max(flow.closeNs, flow.clockNs) + options.closeGrace().toNanos()
                : flow.clockNs + options.idleTimeout().toNanos();
        if (!flow.pending.isEmpty()) {
            deadline = Math.min(deadline,
                    flow.pending.peek().request().startTimestampNs() + options.exchangeTimeout().toNanos());
        }
        for (SegmentOrdering o : flow.ordering) {
            long hole = o.deadlineNs(options.reorderWait().toNanos());
            if (hole >= 0) {
                deadline = Math.min(deadline, hole);
            }
        }
        long ms = Math.floorDiv(deadline, 1_000_000L) + 1;
        if (flow.timerMs < 0 || ms < flow.timerMs) {
            if (flow.timerMs >= 0) {
                timers.deleteEventTimeTimer(flow.timerMs);
            }
            timers.registerEventTimeTimer(ms);
            flow.timerMs = ms;
        }
    }

    private static long registerAt(long deadlineNs, TimerService timers) {
        long ms = Math.floorDiv(deadlineNs, 1_000_000L) + 1;
        timers.registerEventTimeTimer(ms);
        return ms;
    }

    /** The event-time clock an event is seen at: its own time, or the watermark when it is late. */
    private static long clock(long timestampNs, Context ctx) {
        long watermark = ctx.timerService().currentWatermark();
        if (watermark == Long.MIN_VALUE) {
            return timestampNs;
        }
        long watermarkNs = watermark > Long.MAX_VALUE / 1_000_000L ? Long.MAX_VALUE : watermark * 1_000_000L;
        return Math.max(timestampNs, watermarkNs);
    }

    private static String comm(CharSequence comm) {
        return comm == null ? "" : comm.toString();
    }

    private void deadLetter(RuntimeException e, Context ctx, long timestampNs) {
        DeadLetterReason reason = e instanceof DeadLetterException d ? d.reason() : DeadLetterReason.PROCESSING_ERROR;
        ctx.output(DeadLetters.OUTPUT_TAG, DeadLetters.builder(JOB, STAGE).reason(reason).error(e)
                .inputKey(ctx.getCurrentKey(), timestampNs / 1_000_000L).build());
        counters.deadLetters.inc();
    }

    /** The stage's counters. */
    private static final class Counters {
        final Counter flowsOpened;
        final Counter flowsDropped;
        final Counter flowsClosed;
        final Counter flowsEvicted;
        final Counter losses;
        final Counter unpairedResponses;
        final Counter deadLetters;
        final Counter[] byEnd = new Counter[LlmExchange.End.values().length];

        Counters(MetricGroup g) {
            flowsOpened = g.counter("llmFlowsOpened");
            flowsDropped = g.counter("nonLlmFlowsDropped");
            flowsClosed = g.counter("llmFlowsClosed");
            flowsEvicted = g.counter("llmFlowsEvicted");
            losses = g.counter("llmFlowsLostBytes");
            unpairedResponses = g.counter("unpairedResponses");
            deadLetters = g.counter("deadLetters");
            for (LlmExchange.End end : LlmExchange.End.values()) {
                byEnd[end.ordinal()] = g.counter("exchanges_" + end.name().toLowerCase(java.util.Locale.ROOT));
            }
        }

        Counter exchanges(LlmExchange.End end) {
            return byEnd[end.ordinal()];
        }
    }
}
