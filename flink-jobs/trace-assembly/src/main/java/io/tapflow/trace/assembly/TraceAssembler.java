package io.tapflow.trace.assembly;

import io.tapflow.schema.LinkRule;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.ResponseStatus;
import io.tapflow.schema.Span;
import io.tapflow.schema.SpanKind;
import io.tapflow.schema.Trace;
import io.tapflow.trace.link.LinkRules;
import io.tapflow.trace.link.RequestLogs;
import io.tapflow.trace.link.SpanLinkRule;
import io.tapflow.trace.link.TraceContextRule;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds one emission of a trace from all its request logs: span ids, parents (the link rules in priority order),
 * self times, trace id and summary. A pure function of its arguments — the order the logs come in does not matter —
 * so a replay, or a restore from a checkpoint, emits identical records.
 *
 * <p>Ids: a client span whose request carried propagated context keeps the propagated span id (it is the caller's
 * span of that hop); every other span gets an id derived from its log id. The trace id is the propagated one of the
 * earliest span that carried one, else derived from the earliest span's log id. A parent named by propagated context
 * but not captured (an instrumented caller outside the capture) is kept as a dangling {@code parent_span_id}.
 */
public final class TraceAssembler implements Serializable {

    private static final long serialVersionUID = 1L;

    private final LinkRules rules;

    public TraceAssembler(LinkRules rules) {
        this.rules = Objects.requireNonNull(rules, "rules");
    }

    /** One emission of a trace and, per log id, the in-trace parent log chosen for it (absent for roots). */
    public record Assembled(Trace trace, Map<String, RequestLog> parentLogs) {
    }

    /**
     * @param logs all request logs of the trace, any order, no duplicates
     * @param updateSeq the emission number ({@code Trace.update_seq})
     * @param completionPassed the completion timeout passed (false for an early, bounded-state emission)
     */
    public Assembled assemble(List<RequestLog> logs, long updateSeq, boolean completionPassed) {
        List<RequestLog> sorted = new ArrayList<>(logs);
        sorted.sort(RequestLogs.BY_START);
        Map<String, String> spanIds = spanIds(sorted);

        Map<String, RequestLog> parentLog = new HashMap<>();
        Map<String, LinkRule> ruleOf = new HashMap<>();
        for (RequestLog log : sorted) {
            for (SpanLinkRule rule : rules.all()) {
                RequestLog parent = rule.parent(log, sorted);
                if (parent != null && parent != log) {
                    parentLog.put(log.getLogId(), parent);
                    ruleOf.put(log.getLogId(), rule.rule());
                    break;
                }
            }
        }
        breakCycles(sorted, parentLog, ruleOf);

        Map<String, List<long[]>> children = new HashMap<>();
        for (RequestLog log : sorted) {
            RequestLog parent = parentLog.get(log.getLogId());
            if (parent != null) {
                children.computeIfAbsent(parent.getLogId(), k -> new ArrayList<>())
                        .add(new long[] {log.getStartTimeUs(), log.getEndTimeUs()});
            }
        }

        String traceId = traceId(sorted);
        List<Span> spans = new ArrayList<>(sorted.size());
        Span root = null;
        int roots = 0;
        int errors = 0;
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        for (RequestLog log : sorted) {
            RequestLog parent = parentLog.get(log.getLogId());
            String parentSpanId = parent == null ? null : spanIds.get(parent.getLogId());
            LinkRule rule = parent == null ? LinkRule.NONE : ruleOf.get(log.getLogId());
            if (parent == null) {
                String dangling = danglingParent(log, spanIds.get(log.getLogId()));
                if (dangling != null) {
                    parentSpanId = dangling;
                    rule = LinkRule.TRACE_CONTEXT;
                }
            }
            Span span = Span.newBuilder()
                    .setTraceId(traceId)
                    .setSpanId(spanIds.get(log.getLogId()))
                    .setParentSpanId(parentSpanId)
                    .setKind(RequestLogs.isServer(log) ? SpanKind.SERVER : RequestLogs.isClient(log) ? SpanKind.CLIENT
                            : SpanKind.UNKNOWN)
                    .setService(ServiceNaming.spanService(log))
                    .setEndpoint(log.getEndpoint())
                    .setL7Protocol(log.getL7Protocol())
                    .setStartTimeUs(log.getStartTimeUs())
                    .setEndTimeUs(log.getEndTimeUs())
                    .setSelfTimeUs(SelfTime.of(log.getStartTimeUs(), log.getEndTimeUs(),
                            children.getOrDefault(log.getLogId(), List.of())))
                    .setStatus(log.getResponseStatus())
                    .setResponseCode(log.getResponseCode())
                    .setLogId(log.getLogId())
                    .setAgentId(log.getAgentId())
                    .setLinkRule(rule)
                    .setTraceUpdateSeq(updateSeq)
                    .setAttributes(new HashMap<>(log.getAttributes()))
                    .build();
            spans.add(span);
            if (parent == null) {
                roots++;
                if (root == null) {
                    root = span;
                }
            }
            if (log.getResponseStatus() == ResponseStatus.CLIENT_ERROR
                    || log.getResponseStatus() == ResponseStatus.SERVER_ERROR
                    || log.getResponseStatus() == ResponseStatus.TIMEOUT) {
                errors++;
            }
            start = Math.min(start, log.getStartTimeUs());
            end = Math.max(end, log.getEndTimeUs());
        }
        Trace trace = Trace.newBuilder()
                .setTraceId(traceId)
                .setRootService(root == null ? null : root.getService())
                .setRootEndpoint(root == null ? null : root.getEndpoint())
                .setStartTimeUs(start)
                .setEndTimeUs(end)
                .setDurationUs(end - start)
                .setSpanCount(spans.size())
                .setErrorCount(errors)
                .setComplete(completionPassed && roots == 1)
                .setUpdateSeq(updateSeq)
                .setSpans(spans)
                .build();
        return new Assembled(trace, parentLog);
    }

    /** Propagated span ids for client spans that carried one (first come, first served), derived ids otherwise. */
    private static Map<String, String> spanIds(List<RequestLog> sorted) {
        Map<String, String> ids = new LinkedHashMap<>();
        Set<String> used = new HashSet<>();
        for (RequestLog log : sorted) {
            String propagated = RequestLogs.isClient(log) && TraceContextRule.traceId(log) != null
                    && log.getSpanId() != null && !log.getSpanId().isBlank()
                    ? log.getSpanId().toLowerCase(Locale.ROOT) : null;
            String id = propagated != null && used.add(propagated) ? propagated : TraceIds.spanId(log.getLogId());
            used.add(id);
            ids.put(log.getLogId(), id);
        }
        return ids;
    }

    private static String traceId(List<RequestLog> sorted) {
        for (RequestLog log : sorted) {
            String propagated = TraceContextRule.traceId(log);
            if (propagated != null) {
                return propagated;
            }
        }
        return TraceIds.traceId(sorted.get(0).getLogId());
    }

    /** A parent span the propagated context names that is not among the captured spans; null when none. */
    private static String danglingParent(RequestLog log, String ownSpanId) {
        if (TraceContextRule.traceId(log) == null) {
            return null;
        }
        String ref = RequestLogs.isServer(log) ? log.getSpanId() : RequestLogs.isClient(log) ? log.getParentSpanId()
                : null;
        if (ref == null || ref.isBlank()) {
            return null;
        }
        String id = ref.toLowerCase(Locale.ROOT);
        return id.equals(ownSpanId) ? null : id;
    }

    /**
     * Conflicting correlations can make a loop (A's parent B, B's parent A); a trace must be a forest. In each loop
     * the latest-starting span loses its parent.
     */
    private static void breakCycles(List<RequestLog> sorted, Map<String, RequestLog> parentLog,
            Map<String, LinkRule> ruleOf) {
        Set<String> acyclic = new HashSet<>();
        for (RequestLog log : sorted) {
            List<RequestLog> path = new ArrayList<>();
            Set<String> onPath = new HashSet<>();
            RequestLog at = log;
            while (at != null && !acyclic.contains(at.getLogId())) {
                if (!onPath.add(at.getLogId())) {
                    RequestLog latest = at;
                    for (int i = path.indexOf(at); i < path.size(); i++) {
                        if (RequestLogs.BY_START.compare(path.get(i), latest) > 0) {
                            latest = path.get(i);
                        }
                    }
                    parentLog.remove(latest.getLogId());
                    ruleOf.remove(latest.getLogId());
                    break;
                }
                path.add(at);
                at = parentLog.get(at.getLogId());
            }
            for (RequestLog p : path) {
                acyclic.add(p.getLogId());
            }
        }
    }
}
