package io.tapflow.flowagg.chain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Judges the assembled traces of the chain's requests against what each request really was. Which request and hop
 * a span belongs to is read from its request log's resource (every hop carries the client's request number: {@code
 * /api/order?id=N}, {@code /orders/N}, Redis key {@code order:N}, {@code /stock/N}) and observation point — facts of the
 * traffic, independent of how the job linked anything. A request's trace is complete when one trace holds exactly
 * the eight spans of that request, no other span, every parent as in {@link #PARENTS}, the trace says complete, and
 * a request sent with a traceparent has that trace id.
 */
public final class ChainTraceCheck {

    /** The hops of one request: name → the agent (host) that observes it. */
    public static final Map<String, String> HOST_OF = Map.of(
            "client>gateway", "host1", "gateway<client", "host1", "gateway>a", "host1",
            "a<gateway", "host2", "a>redis", "host2", "redis<a", "host2", "a>b", "host2", "b<a", "host2");

    /** Expected parent of each span by name; client>gateway is the root. */
    public static final Map<String, String> PARENTS = Map.of(
            "gateway<client", "client>gateway", "gateway>a", "gateway<client", "a<gateway", "gateway>a",
            "a>redis", "a<gateway", "redis<a", "a>redis", "a>b", "a<gateway", "b<a", "a>b");

    private static final Pattern ORDER = Pattern.compile("/api/order\\?id=(\\d+)");
    private static final Pattern ORDERS = Pattern.compile("/orders/(\\d+)");
    private static final Pattern REDIS = Pattern.compile("order:(\\d+)");
    private static final Pattern STOCK = Pattern.compile("/stock/(\\d+)");

    /** A request log as ClickHouse holds it (l7_request_log FINAL). */
    public record LogRow(String logId, String agentId, String observationPoint, String protocol, String resource) {
    }

    /** A span as ClickHouse holds it (spans FINAL). */
    public record SpanRow(String traceId, String spanId, String parentSpanId, String logId) {
    }

    /** What the client sent and got: its status and the traceparent's trace id (null without one). */
    public record Sent(int status, String traceId) {
    }

    /** The outcome: per request the reasons it is not complete (empty = complete). */
    public record Result(Map<Integer, List<String>> reasons, Map<Integer, List<String>> logIds, int withTraceparent,
            int completeWithTraceparent, List<String> spansOfNoRequest) {

        public long complete() {
            return reasons.values().stream().filter(List::isEmpty).count();
        }

        public String summary() {
            StringBuilder s = new StringBuilder();
            s.append(String.format("requests %d, complete traces %d (%.1f %%), with traceparent %d of which complete"
                    + " %d; spans of no request %d%n", reasons.size(), complete(),
                    100.0 * complete() / Math.max(1, reasons.size()), withTraceparent, completeWithTraceparent,
                    spansOfNoRequest.size()));
            Map<String, List<Integer>> byReason = new TreeMap<>();
            reasons.forEach((n, rs) -> rs.forEach(r -> byReason.computeIfAbsent(r.replaceAll("request \\d+",
                    "another request"), k -> new ArrayList<>()).add(n)));
            byReason.forEach((r, ns) -> s.append(String.format("  incomplete: %s — requests %s%n", r, ns)));
            return s.toString();
        }
    }

    private ChainTraceCheck() {
    }

    /**
     * @param agentOfHost the agent id of "host1" and "host2"
     * @param complete per trace id (traces FINAL), whether the trace says it is complete
     */
    public static Result check(Map<Integer, Sent> sent, Map<String, String> agentOfHost, List<LogRow> logs,
            List<SpanRow> spans, Map<String, Boolean> complete) {
        Map<String, Integer> requestOfLog = new HashMap<>();
        Map<String, String> nameOfLog = new HashMap<>();
        Map<Integer, List<String>> reasons = new TreeMap<>();
        sent.keySet().forEach(n -> reasons.put(n, new ArrayList<>()));
        Map<Integer, Map<String, Integer>> namesOfRequest = new HashMap<>();
        for (LogRow log : logs) {
            String[] hop = hop(log);
            if (hop == null) {
                continue;
            }
            int n = Integer.parseInt(hop[0]);
            requestOfLog.put(log.logId(), n);
            nameOfLog.put(log.logId(), hop[1]);
            namesOfRequest.computeIfAbsent(n, k -> new HashMap<>()).merge(hop[1], 1, Integer::sum);
            String expectedAgent = agentOfHost.get(HOST_OF.get(hop[1]));
            if (reasons.containsKey(n) && !log.agentId().equals(expectedAgent)) {
                reasons.get(n).add(hop[1] + " observed by " + log.agentId() + ", not " + expectedAgent);
            }
        }
        Map<String, List<SpanRow>> spansOfTrace = new HashMap<>();
        Map<String, List<SpanRow>> spansOfLog = new HashMap<>();
        for (SpanRow s : spans) {
            spansOfTrace.computeIfAbsent(s.traceId(), k -> new ArrayList<>()).add(s);
            spansOfLog.computeIfAbsent(s.logId(), k -> new ArrayList<>()).add(s);
        }

        Map<Integer, List<String>> logIds = new TreeMap<>();
        requestOfLog.forEach((logId, n) -> logIds.computeIfAbsent(n, k -> new ArrayList<>()).add(logId));
        int withTraceparent = 0;
        int completeWithTraceparent = 0;
        for (Map.Entry<Integer, List<String>> e : reasons.entrySet()) {
            int n = e.getKey();
            List<String> why = e.getValue();
            Sent request = sent.get(n);
            if (request.status() != 200) {
                why.add("client got status " + request.status());
            }
            Map<String, Integer> names = namesOfRequest.getOrDefault(n, Map.of());
            Set<String> missing = new TreeSet<>(HOST_OF.keySet());
            missing.removeAll(names.keySet());
            if (!missing.isEmpty()) {
                why.add("no request log for " + missing);
            }
            names.forEach((name, count) -> {
                if (count > 1) {
                    why.add(count + " request logs for " + name);
                }
            });
            Map<String, Set<String>> namesByTrace = new TreeMap<>();
            List<String> spanless = new ArrayList<>();
            requestOfLog.forEach((logId, r) -> {
                if (r == n) {
                    List<SpanRow> of = spansOfLog.getOrDefault(logId, List.of());
                    if (of.isEmpty()) {
                        spanless.add(nameOfLog.get(logId));
                    }
                    of.forEach(s -> namesByTrace.computeIfAbsent(s.traceId(), k -> new TreeSet<>())
                            .add(nameOfLog.get(logId)));
                }
            });
            Set<String> traces = namesByTrace.keySet();
            if (!spanless.isEmpty()) {
                why.add("no span for " + new TreeSet<>(spanless));
            }
            if (traces.size() != 1) {
                why.add("spans split over traces " + namesByTrace.values());
            } else {
                checkTrace(n, spansOfTrace.get(traces.iterator().next()), requestOfLog, nameOfLog, complete, why);
                String traceId = traces.iterator().next();
                if (request.traceId() != null && !request.traceId().equals(traceId)) {
                    why.add("traceparent's trace id not kept");
                }
            }
            if (request.traceId() != null) {
                withTraceparent++;
                completeWithTraceparent += why.isEmpty() ? 1 : 0;
            }
        }
        List<String> spansOfNoRequest = spans.stream().filter(sp -> !requestOfLog.containsKey(sp.logId()))
                .map(SpanRow::logId).toList();
        return new Result(reasons, logIds, withTraceparent, completeWithTraceparent, spansOfNoRequest);
    }

    private static void checkTrace(int n, List<SpanRow> trace, Map<String, Integer> requestOfLog,
            Map<String, String> nameOfLog, Map<String, Boolean> complete, List<String> why) {
        Set<String> foreign = new TreeSet<>();
        Map<String, String> nameOfSpan = new HashMap<>();
        for (SpanRow s : trace) {
            Integer r = requestOfLog.get(s.logId());
            if (r == null || r != n) {
                foreign.add(r == null ? "unknown log " + s.logId() : nameOfLog.get(s.logId()) + " of request " + r);
            } else {
                nameOfSpan.put(s.spanId(), nameOfLog.get(s.logId()));
            }
        }
        if (!foreign.isEmpty()) {
            why.add("foreign spans " + foreign);
        }
        for (SpanRow s : trace) {
            String name = nameOfSpan.get(s.spanId());
            if (name == null) {
                continue;
            }
            String parent = s.parentSpanId() == null ? null : nameOfSpan.getOrDefault(s.parentSpanId(),
                    "span " + s.parentSpanId() + " outside the request");
            if (!Objects.equals(parent, PARENTS.get(name))) {
                why.add("parent of " + name + " is " + parent + ", not " + PARENTS.get(name));
            }
        }
        if (!Boolean.TRUE.equals(complete.get(trace.get(0).traceId()))) {
            why.add("trace not marked complete");
        }
    }

    /** {request number, hop name} of a log of the chain, or null for any other log. */
    private static String[] hop(LogRow log) {
        boolean client = log.observationPoint().equals("CLIENT_PROCESS");
        String resource = log.resource() == null ? "" : log.resource();
        Matcher m;
        if (log.protocol().equals("REDIS")) {
            m = REDIS.matcher(resource);
            return m.matches() ? new String[] {m.group(1), client ? "a>redis" : "redis<a"} : null;
        }
        if ((m = ORDER.matcher(resource)).matches()) {
            return new String[] {m.group(1), client ? "client>gateway" : "gateway<client"};
        }
        if ((m = ORDERS.matcher(resource)).matches()) {
            return new String[] {m.group(1), client ? "gateway>a" : "a<gateway"};
        }
        if ((m = STOCK.matcher(resource)).matches()) {
            return new String[] {m.group(1), client ? "a>b" : "b<a"};
        }
        return null;
    }
}
