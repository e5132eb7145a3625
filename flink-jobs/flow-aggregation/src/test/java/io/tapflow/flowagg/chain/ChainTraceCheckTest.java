package io.tapflow.flowagg.chain;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.flowagg.chain.ChainTraceCheck.LogRow;
import io.tapflow.flowagg.chain.ChainTraceCheck.Sent;
import io.tapflow.flowagg.chain.ChainTraceCheck.SpanRow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The verdicts of the chain ITCase's checker: each way a trace can be wrong is named, a right one passes. */
class ChainTraceCheckTest {

    private static final Map<String, String> AGENTS = Map.of("host1", "h1", "host2", "h2");
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    /** The eight logs of request n (log id = name + n) in order client>gateway … b<a. */
    private static List<LogRow> logs(int n) {
        return List.of(
                new LogRow("client>gateway" + n, "h1", "CLIENT_PROCESS", "HTTP1", "/api/order?id=" + n),
                new LogRow("gateway<client" + n, "h1", "SERVER_PROCESS", "HTTP1", "/api/order?id=" + n),
                new LogRow("gateway>a" + n, "h1", "CLIENT_PROCESS", "HTTP1", "/orders/" + n),
                new LogRow("a<gateway" + n, "h2", "SERVER_PROCESS", "HTTP1", "/orders/" + n),
                new LogRow("a>redis" + n, "h2", "CLIENT_PROCESS", "REDIS", "order:" + n),
                new LogRow("redis<a" + n, "h2", "SERVER_PROCESS", "REDIS", "order:" + n),
                new LogRow("a>b" + n, "h2", "CLIENT_PROCESS", "HTTP1", "/stock/" + n),
                new LogRow("b<a" + n, "h2", "SERVER_PROCESS", "HTTP1", "/stock/" + n));
    }

    /** Spans of request n in trace {@code trace}, span id = log id, parents as the chain has them. */
    private static List<SpanRow> spans(int n, String trace) {
        List<SpanRow> spans = new ArrayList<>();
        for (LogRow log : logs(n)) {
            String name = log.logId().substring(0, log.logId().length() - String.valueOf(n).length());
            String parent = ChainTraceCheck.PARENTS.get(name);
            spans.add(new SpanRow(trace, log.logId(), parent == null ? null : parent + n, log.logId()));
        }
        return spans;
    }

    private static ChainTraceCheck.Result check(List<LogRow> logs, List<SpanRow> spans, Map<Integer, Sent> sent) {
        Map<String, Boolean> complete = new HashMap<>();
        spans.forEach(s -> complete.put(s.traceId(), true));
        return ChainTraceCheck.check(sent, AGENTS, logs, spans, complete);
    }

    @Test
    void theRightTraceIsComplete() {
        ChainTraceCheck.Result r = check(logs(1), spans(1, TRACE), Map.of(1, new Sent(200, TRACE)));
        assertThat(r.reasons()).containsEntry(1, List.of());
        assertThat(r.completeWithTraceparent()).isEqualTo(1);
        assertThat(r.spansOfNoRequest()).isEmpty();
    }

    @Test
    void aWrongParentASplitAForeignSpanAMissingLogAndAnotherTraceIdAreEachNamed() {
        List<SpanRow> wrongParent = new ArrayList<>(spans(1, "t1"));
        wrongParent.set(3, new SpanRow("t1", "a<gateway1", "client>gateway1", "a<gateway1"));
        assertThat(check(logs(1), wrongParent, Map.of(1, new Sent(200, null))).reasons().get(1))
                .containsExactly("parent of a<gateway is client>gateway, not gateway>a");

        List<SpanRow> split = new ArrayList<>(spans(1, "t1"));
        split.set(5, new SpanRow("t2", "redis<a1", "a>redis1", "redis<a1"));
        assertThat(check(logs(1), split, Map.of(1, new Sent(200, null))).reasons().get(1))
                .containsExactly("spans split over traces [[a<gateway, a>b, a>redis, b<a, client>gateway,"
                        + " gateway<client, gateway>a], [redis<a]]");

        List<LogRow> twoRequests = new ArrayList<>(logs(1));
        twoRequests.addAll(logs(2));
        List<SpanRow> foreign = new ArrayList<>(spans(1, "t1"));
        foreign.addAll(spans(2, "t2"));
        foreign.set(15, new SpanRow("t1", "b<a2", "a>b2", "b<a2"));
        assertThat(check(twoRequests, foreign, Map.of(1, new Sent(200, null), 2, new Sent(200, null))).reasons()
                .get(1)).containsExactly("foreign spans [b<a of request 2]");

        assertThat(check(logs(1).subList(0, 7), spans(1, "t1").subList(0, 7), Map.of(1, new Sent(200, null)))
                .reasons().get(1)).containsExactly("no request log for [b<a]");

        assertThat(check(logs(1), spans(1, "t1"), Map.of(1, new Sent(200, TRACE))).reasons().get(1))
                .containsExactly("traceparent's trace id not kept");
    }

    @Test
    void aSpanOfNoRequestIsCounted() {
        List<SpanRow> spans = new ArrayList<>(spans(1, "t1"));
        spans.add(new SpanRow("t9", "x", null, "not-a-chain-log"));
        assertThat(check(logs(1), spans, Map.of(1, new Sent(200, null))).spansOfNoRequest())
                .containsExactly("not-a-chain-log");
    }
}
