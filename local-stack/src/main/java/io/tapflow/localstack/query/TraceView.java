package io.tapflow.localstack.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One assembled trace (the rows of ClickHouse {@code spans} FINAL for a trace id) as an indented tree with timings,
 * or as OTLP/JSON ({@code ExportTraceServiceRequest}) that Jaeger and Tempo load.
 */
final class TraceView {

    /** One row of {@code spans}. */
    record Span(String traceId, String spanId, String parentSpanId, String kind, String service, String endpoint,
                String protocol, long startUs, long endUs, long selfUs, String status, String responseCode) {
    }

    static final String COLUMNS = "trace_id, span_id, parent_span_id, kind, service, endpoint, l7_protocol,"
            + " start_time_us, end_time_us, self_time_us, status, response_code";

    private TraceView() {
    }

    static Span span(String[] row) {
        return new Span(row[0], row[1], row[2], row[3], row[4], row[5], row[6], Long.parseLong(row[7]),
                Long.parseLong(row[8]), Long.parseLong(row[9]), row[10], row[11]);
    }

    /**
     * The tree: roots (no parent, or a parent not in the trace) first by start time, each child indented under its
     * parent, with its offset from the trace start, duration and self time.
     */
    static String tree(List<Span> spans) {
        Map<String, List<Span>> children = new LinkedHashMap<>();
        Map<String, Span> byId = new LinkedHashMap<>();
        spans.forEach(s -> byId.put(s.spanId(), s));
        List<Span> roots = new ArrayList<>();
        for (Span s : spans) {
            if (s.parentSpanId() == null || !byId.containsKey(s.parentSpanId())) {
                roots.add(s);
            } else {
                children.computeIfAbsent(s.parentSpanId(), k -> new ArrayList<>()).add(s);
            }
        }
        long start = spans.stream().mapToLong(Span::startUs).min().orElse(0);
        long end = spans.stream().mapToLong(Span::endUs).max().orElse(0);
        StringBuilder out = new StringBuilder();
        out.append(String.format("trace %s: %d spans, %.3f ms%n", spans.isEmpty() ? "?" : spans.get(0).traceId(),
                spans.size(), (end - start) / 1000.0));
        roots.sort(Comparator.comparingLong(Span::startUs));
        for (Span root : roots) {
            render(root, 0, start, children, out);
        }
        return out.toString();
    }

    private static void render(Span s, int depth, long traceStart, Map<String, List<Span>> children,
            StringBuilder out) {
        out.append(String.format("%s%-6s %s %s %s  +%.3f ms  %.3f ms (self %.3f ms)  %s%s%n", "  ".repeat(depth + 1),
                s.kind(), s.service(), s.protocol(), s.endpoint() == null ? "" : s.endpoint(),
                (s.startUs() - traceStart) / 1000.0, (s.endUs() - s.startUs()) / 1000.0, s.selfUs() / 1000.0,
                s.status(), s.responseCode() == null ? "" : " " + s.responseCode()));
        List<Span> kids = new ArrayList<>(children.getOrDefault(s.spanId(), List.of()));
        kids.sort(Comparator.comparingLong(Span::startUs));
        for (Span child : kids) {
            render(child, depth + 1, traceStart, children, out);
        }
    }

    /** OTLP/JSON: one resourceSpans per service, span kinds and status codes as the OTLP enums. */
    static String otlp(List<Span> spans) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode request = json.createObjectNode();
        ArrayNode resourceSpans = request.putArray("resourceSpans");
        Map<String, List<Span>> byService = new LinkedHashMap<>();
        spans.forEach(s -> byService.computeIfAbsent(s.service(), k -> new ArrayList<>()).add(s));
        for (Map.Entry<String, List<Span>> service : byService.entrySet()) {
            ObjectNode resource = resourceSpans.addObject();
            attribute(resource.putObject("resource").putArray("attributes"), "service.name", service.getKey());
            ObjectNode scope = resource.putArray("scopeSpans").addObject();
            scope.putObject("scope").put("name", "tapflow");
            ArrayNode out = scope.putArray("spans");
            for (Span s : service.getValue()) {
                ObjectNode span = out.addObject();
                span.put("traceId", s.traceId());
                span.put("spanId", s.spanId());
                if (s.parentSpanId() != null) {
                    span.put("parentSpanId", s.parentSpanId());
                }
                span.put("name", s.endpoint() == null ? s.protocol() : s.endpoint());
                // OTLP SpanKind: 2 = SERVER, 3 = CLIENT
                span.put("kind", "CLIENT".equals(s.kind()) ? 3 : 2);
                span.put("startTimeUnixNano", Long.toString(s.startUs() * 1000));
                span.put("endTimeUnixNano", Long.toString(s.endUs() * 1000));
                ArrayNode attributes = span.putArray("attributes");
                attribute(attributes, "network.protocol.name", s.protocol());
                if (s.responseCode() != null) {
                    attribute(attributes, "tapflow.response_code", s.responseCode());
                }
                // OTLP StatusCode: 1 = OK, 2 = ERROR, 0 = UNSET
                boolean error = s.status().endsWith("ERROR") || s.status().equals("TIMEOUT");
                span.putObject("status").put("code", error ? 2 : s.status().equals("OK") ? 1 : 0);
            }
        }
        return request.toPrettyString();
    }

    private static void attribute(ArrayNode attributes, String key, String value) {
        ObjectNode a = attributes.addObject();
        a.put("key", key);
        a.putObject("value").put("stringValue", value);
    }
}
