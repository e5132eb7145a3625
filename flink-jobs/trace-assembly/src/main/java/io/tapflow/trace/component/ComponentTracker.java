package io.tapflow.trace.component;

import io.tapflow.flink.serde.JavaSerializedTypeInfo;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Stage 2 of trace assembly: union-find over log ids. Every {@link SpanEdge} joins two logs' components; a component
 * that has not changed for the completion timeout (event time) is emitted — one {@link Membership} per member,
 * telling each log's holder which trace and emission it belongs to.
 *
 * <p>Why one instance: connected components have no key known in advance (a tcp_seq edge joins two agents, a
 * syscall edge two connections; a chain of N hops needs N joins), and Flink 2 has no iterations to chase parent
 * pointers across keys. So all edges meet here, keyed by a constant and run at parallelism 1 — but they are only
 * pairs of 32-char ids; the payload-carrying stages around it (link matching, span holding, trace building) are
 * keyed and parallel. The root of a component is its smallest log id, so the routing key of a trace does not
 * depend on the order edges arrive in.
 *
 * <p>Lifecycle of a component: <em>open</em> while it changes (a new member or a merge), with a timer at the last
 * change + completion timeout; when it fires, the members are emitted with the next update seq and the component is
 * <em>sealed</em> for the late retention, so that a late span which links to it re-opens it and causes an update
 * emission (seq + 1) of the whole trace instead of a loss. After the retention the members are released (their
 * holders drop them) and the component leaves state. A span later still starts a new trace.
 *
 * <p>Bounds: a merge that would exceed {@code maxSpansPerTrace} is refused ({@value #REFUSED_COUNTER}); when more
 * than {@code maxSpans} logs are held, the component with the earliest deadline is emitted early (incomplete,
 * {@value #EVICTED_COUNTER}) or, if sealed, released ({@value #RELEASED_EARLY_COUNTER}).
 */
public final class ComponentTracker extends KeyedProcessFunction<Integer, SpanEdge, Membership> {

    private static final long serialVersionUID = 1L;

    /** The one key of this stage. */
    public static final Integer KEY = 0;

    public static final String REFUSED_COUNTER = "mergesRefused";
    public static final String EVICTED_COUNTER = "tracesEvicted";
    public static final String RELEASED_EARLY_COUNTER = "tracesReleasedEarly";
    public static final String UPDATES_COUNTER = "traceUpdates";

    private final long completionTimeoutMs;
    private final long lateRetentionMs;
    private final int maxSpansPerTrace;
    private final long maxSpans;

    private transient MapState<String, String> parents;
    private transient MapState<String, Component> components;
    private transient MapState<Long, Roots> due;
    private transient ValueState<Long> heldSpans;
    private transient Counter refused;
    private transient Counter evicted;
    private transient Counter releasedEarly;
    private transient Counter updates;

    /** Roots with something due at one instant; our own state class. */
    static final class Roots extends ArrayList<String> {
        private static final long serialVersionUID = 1L;
    }

    public ComponentTracker(long completionTimeoutMs, long lateRetentionMs, int maxSpansPerTrace, long maxSpans) {
        if (completionTimeoutMs < 1 || lateRetentionMs < 0 || maxSpansPerTrace < 1 || maxSpans < 1) {
            throw new IllegalArgumentException("completion timeout >= 1 ms, retention >= 0, limits >= 1 required");
        }
        this.completionTimeoutMs = completionTimeoutMs;
        this.lateRetentionMs = lateRetentionMs;
        this.maxSpansPerTrace = maxSpansPerTrace;
        this.maxSpans = maxSpans;
    }

    @Override
    public void open(OpenContext openContext) {
        parents = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("parent-by-log", Types.STRING, Types.STRING));
        components = getRuntimeContext().getMapState(new MapStateDescriptor<>("component-by-root", Types.STRING,
                JavaSerializedTypeInfo.forClass(Component.class)));
        due = getRuntimeContext().getMapState(new MapStateDescriptor<>("roots-by-due-ms", Types.LONG,
                JavaSerializedTypeInfo.forClass(Roots.class)));
        heldSpans = getRuntimeContext().getState(new ValueStateDescriptor<>("held-spans", Types.LONG));
        refused = getRuntimeContext().getMetricGroup().counter(REFUSED_COUNTER);
        evicted = getRuntimeContext().getMetricGroup().counter(EVICTED_COUNTER);
        releasedEarly = getRuntimeContext().getMetricGroup().counter(RELEASED_EARLY_COUNTER);
        updates = getRuntimeContext().getMetricGroup().counter(UPDATES_COUNTER);
    }

    @Override
    public void processElement(SpanEdge edge, Context ctx, Collector<Membership> out) throws Exception {
        long time = ctx.timestamp() == null ? ctx.timerService().currentWatermark() : ctx.timestamp();
        String ra = findOrAdd(edge.a, time, ctx);
        String rb = findOrAdd(edge.b, time, ctx);
        if (!ra.equals(rb)) {
            merge(ra, rb, time, ctx);
        }
        enforceSpanLimit(ctx, out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Membership> out) throws Exception {
        Roots roots = due.get(timestamp);
        if (roots == null) {
            return;
        }
        due.remove(timestamp);
        for (String root : roots) {
            Component c = components.get(root);
            if (c == null || c.deadlineMs != timestamp) {
                continue; // merged away, or its deadline moved
            }
            if (c.open) {
                emit(root, c, true, out);
                c.deadlineMs = timestamp + lateRetentionMs;
                components.put(root, c);
                schedule(root, c.deadlineMs, ctx);
            } else {
                release(root, c, out);
            }
        }
    }

    /** The root of {@code logId}, compressing its path; a log never seen becomes a new open component. */
    private String findOrAdd(String logId, long time, Context ctx) throws Exception {
        String parent = parents.get(logId);
        if (parent == null) {
            if (!components.contains(logId)) {
                Component c = new Component();
                c.members.add(logId);
                heldSpans.update(held() + 1);
                touch(logId, c, time, ctx);
            }
            return logId;
        }
        String root = parent;
        List<String> path = new ArrayList<>();
        path.add(logId);
        for (String next = parents.get(root); next != null; next = parents.get(root)) {
            path.add(root);
            root = next;
        }
        for (String p : path) {
            parents.put(p, root);
        }
        return root;
    }

    private void merge(String ra, String rb, long time, Context ctx) throws Exception {
        Component a = components.get(ra);
        Component b = components.get(rb);
        if (a.size() + b.size() > maxSpansPerTrace) {
            refused.inc();
            return;
        }
        // the smaller id survives: the same root whatever order the edges came in
        String root = ra.compareTo(rb) < 0 ? ra : rb;
        String gone = root.equals(ra) ? rb : ra;
        Component kept = root.equals(ra) ? a : b;
        Component absorbed = root.equals(ra) ? b : a;
        kept.members.addAll(absorbed.members);
        kept.emittedSeq = Math.max(kept.emittedSeq, absorbed.emittedSeq);
        kept.lastChangeMs = Math.max(kept.lastChangeMs, absorbed.lastChangeMs);
        parents.put(gone, root);
        components.remove(gone);
        touch(root, kept, time, ctx);
    }

    /** A change: the component (re)opens and its emission moves to the last change + completion timeout. */
    private void touch(String root, Component c, long time, Context ctx) throws Exception {
        if (!c.open && c.emittedSeq >= 0) {
            updates.inc();
        }
        c.open = true;
        c.lastChangeMs = Math.max(c.lastChangeMs, time);
        c.deadlineMs = c.lastChangeMs + completionTimeoutMs;
        components.put(root, c);
        schedule(root, c.deadlineMs, ctx);
    }

    private void schedule(String root, long at, Context ctx) throws Exception {
        Roots roots = due.get(at);
        if (roots == null) {
            roots = new Roots();
            ctx.timerService().registerEventTimeTimer(at);
        }
        if (!roots.contains(root)) {
            roots.add(root);
        }
        due.put(at, roots);
    }

    private void emit(String root, Component c, boolean completionPassed, Collector<Membership> out) {
        c.emittedSeq++;
        c.open = false;
        for (String member : c.members) {
            out.collect(Membership.emit(member, root, c.emittedSeq, c.size(), completionPassed));
        }
    }

    private void release(String root, Component c, Collector<Membership> out) throws Exception {
        for (String member : c.members) {
            parents.remove(member);
            out.collect(Membership.release(member, root));
        }
        components.remove(root);
        long left = held() - c.size();
        if (left == 0) {
            heldSpans.clear();
        } else {
            heldSpans.update(left);
        }
    }

    /** Over the limit: free the component due first (emit it early if open, else release it). */
    private void enforceSpanLimit(Context ctx, Collector<Membership> out) throws Exception {
        while (held() > maxSpans) {
            long first = Long.MAX_VALUE;
            for (Long at : due.keys()) {
                first = Math.min(first, at);
            }
            Roots roots = first == Long.MAX_VALUE ? null : due.get(first);
            String victim = null;
            for (String root : roots == null ? List.<String>of() : roots) {
                Component c = components.get(root);
                if (c != null && c.deadlineMs == first) {
                    victim = root;
                    break;
                }
            }
            if (victim == null) {
                if (roots == null) {
                    return; // nothing left to free: cannot happen while spans are held
                }
                due.remove(first); // only stale entries at that instant
                continue;
            }
            Component c = components.get(victim);
            if (c.open) {
                emit(victim, c, false, out);
                evicted.inc();
            } else {
                releasedEarly.inc();
            }
            release(victim, c, out);
        }
    }

    private long held() throws Exception {
        Long n = heldSpans.value();
        return n == null ? 0 : n;
    }
}
