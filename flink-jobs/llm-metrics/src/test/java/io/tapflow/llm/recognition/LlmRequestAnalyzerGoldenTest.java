package io.tapflow.llm.recognition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tapflow.protocols.testing.Capture;
import io.tapflow.protocols.testing.Capture.DirectedSegment;
import io.tapflow.schema.LlmRequest;
import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.ResponseStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The analyzer over the real LLM-shaped captures of the protocols test-jar. Expected times come from the captures'
 * {@code .expected} renderings (µs after the capture's first packet): e.g. 07-sse has the request at +129 µs and its
 * content events at +34924 and +95405 µs. Renderings round to µs, so times are checked within 1 µs.
 */
class LlmRequestAnalyzerGoldenTest {

    /** The capture server's /sse and /ndjson routes are not LLM routes: they are configured, as a user would. */
    private static final LlmEndpoints ENDPOINTS = LlmEndpoints.withRoutes(
            List.of("demo:openai:chat:/sse", "demo-nd:ollama:generate_content:/ndjson"));
    private static final LlmRequestAnalyzer ANALYZER =
            new LlmRequestAnalyzer(ENDPOINTS, new TenantResolver("x-tenant", "salt"));

    private static Analysis analyze(LlmExchange exchange) {
        return ANALYZER.analyze(exchange).orElseThrow(() -> new AssertionError("not recognised: " + exchange));
    }

    @Test
    void openAiStyleSseStream() {
        List<LlmExchange> exchanges = CapturedExchanges.exchanges("http1/07-sse");
        assertThat(exchanges).hasSize(1);
        Analysis a = analyze(exchanges.get(0));
        LlmRequest r = a.request();
        assertThat(r.getProvider()).isEqualTo("demo");
        assertThat(r.getOperation()).isEqualTo("chat");
        assertThat(r.getStream()).isTrue();
        assertThat(r.getModel()).isEqualTo("unknown");
        assertThat(r.getObservationPoint()).isEqualTo(ObservationPoint.SERVER_PROCESS);
        assertThat(r.getTenant()).isEmpty();
        // "Hel" at +34924 µs, "lo" at +95405 µs; the comment, the two-line non-JSON event and the done event
        // carry no content
        assertThat(r.getTtftUs()).isCloseTo(34_924 - 129, within(1L));
        assertThat(r.getOutputTokens()).isEqualTo(2);
        assertThat(r.getTpotUs()).isCloseTo(95_405 - 34_924, within(1L));
        assertThat(r.getTokensPerSecond()).isCloseTo(2 / 0.060481, within(0.01));
        assertThat(r.getE2eUs()).isCloseTo(246_569 - 129, within(1L));
        assertThat(r.getInputTokens()).isZero();
        assertThat(r.getTokensEstimated()).isTrue();
        assertThat(r.getFinishReason()).isEqualTo("stop");
        assertThat(r.getComplete()).isTrue();
        assertThat(r.getStatus()).isEqualTo(ResponseStatus.OK);
        assertThat(r.getResponseCode()).isEqualTo(200);
        // "data: first line\ndata: second line" is not JSON: flagged, counted, not fatal
        assertThat(a.malformedParts()).isEqualTo(1);
        assertThat(r.getError()).isEqualTo("malformed stream event at body offset 134: not a JSON object");
        assertThat(r.getRequestId()).matches("[0-9a-f]{32}")
                .isEqualTo(Hashes.id(CapturedExchanges.AGENT, CapturedExchanges.SOCKET, 0L));
    }

    @Test
    void ndjsonStreamWithReportedOutputTokens() {
        LlmRequest r = analyze(CapturedExchanges.exchanges("http1/08-ndjson").get(0)).request();
        assertThat(r.getProvider()).isEqualTo("demo-nd");
        assertThat(r.getModel()).isEqualTo("tiny"); // from the response: the GET carried no body
        // "The" +34717, " sky" and " is" both +65014 (one chunk), " blue" +125616 in the final done line
        assertThat(r.getTtftUs()).isCloseTo(34_717 - 113, within(1L));
        assertThat(r.getOutputTokens()).isEqualTo(4); // eval_count
        assertThat(r.getTpotUs()).isCloseTo(Math.round((125_616 - 34_717) / 3.0), within(1L));
        assertThat(r.getTokensEstimated()).isTrue(); // no prompt_eval_count: the input is estimated
        assertThat(r.getComplete()).isTrue();
        assertThat(r.getError()).isNull();
        assertThat(r.getFinishReason()).isNull();
    }

    @Test
    void ollamaGenerateIsABuiltInRoute() {
        LlmRequestAnalyzer builtInsOnly = new LlmRequestAnalyzer(LlmEndpoints.defaults(), new TenantResolver(null, "s"));
        LlmRequest r = builtInsOnly.analyze(CapturedExchanges.exchanges("http1/09-ollama-json").get(0))
                .orElseThrow().request();
        assertThat(r.getProvider()).isEqualTo("ollama");
        assertThat(r.getOperation()).isEqualTo("generate_content");
        assertThat(r.getModel()).isEqualTo("tiny");
        assertThat(r.getStream()).isTrue();
        // "Why" +32764, " not" +63028, "?" +93327; the final done line has an empty response
        assertThat(r.getTtftUs()).isCloseTo(32_764 - 343, within(1L));
        assertThat(r.getOutputTokens()).isEqualTo(3);
        assertThat(r.getTpotUs()).isCloseTo(Math.round((93_327 - 32_764) / 2.0), within(1L));
        assertThat(r.getInputTokens()).isEqualTo(1); // "Why?" = 4 chars
        assertThat(r.getTokensEstimated()).isTrue();
        assertThat(r.getE2eUs()).isCloseTo(153_862 - 343, within(1L));
        assertThat(r.getComplete()).isTrue();
        assertThat(r.getError()).isNull();
    }

    @Test
    void streamWithoutTerminalEventIsIncomplete() {
        LlmRequest r = analyze(CapturedExchanges.exchanges("http1/10-sse-http10-close").get(0)).request();
        assertThat(r.getTtftUs()).isCloseTo(32_389 - 341, within(1L));
        assertThat(r.getOutputTokens()).isEqualTo(2);
        assertThat(r.getComplete()).isFalse();
        assertThat(r.getError()).startsWith("response ended without the stream's terminal event; malformed");
    }

    @Test
    void streamCutMidwayKeepsTheTokensSeenSoFar() {
        Capture.Connection c = CapturedExchanges.connection("http1/07-sse");
        long cutNs = c.startNs() + 60_000_000L; // after "Hel" (+34.9 ms), before "lo" (+95.4 ms)
        List<DirectedSegment> head = c.segments().stream()
                .filter(s -> s.segment().timestampNs() <= cutNs).toList();
        LlmExchange cut = CapturedExchanges.exchanges(head, LlmExchange.End.CUT).get(0);
        assertThat(cut.response()).isNotNull();
        assertThat(cut.response().truncated()).isTrue();
        LlmRequest r = analyze(cut).request();
        assertThat(r.getComplete()).isFalse();
        assertThat(r.getOutputTokens()).isEqualTo(1);
        assertThat(r.getTtftUs()).isCloseTo(34_924 - 129, within(1L));
        assertThat(r.getTpotUs()).isNull();
        assertThat(r.getError()).startsWith("stream cut");
        assertThat(r.getStatus()).isEqualTo(ResponseStatus.OK);
    }

    @Test
    void timeoutWithoutResponse() {
        Capture.Connection c = CapturedExchanges.connection("http1/09-ollama-json");
        List<DirectedSegment> requestOnly = c.segments().stream()
                .filter(s -> s.direction() == io.tapflow.protocols.FlowDirection.CLIENT_TO_SERVER).toList();
        LlmExchange pending = CapturedExchanges.exchanges(requestOnly, LlmExchange.End.TIMEOUT).get(0);
        long timeoutNs = pending.request().startTimestampNs() + 30_000_000_000L;
        LlmExchange timedOut = new LlmExchange(pending.request(), null, CapturedExchanges.context(0,
                LlmExchange.End.TIMEOUT, timeoutNs));
        LlmRequest r = ANALYZER.analyze(timedOut).orElseThrow().request();
        assertThat(r.getStatus()).isEqualTo(ResponseStatus.TIMEOUT);
        assertThat(r.getResponseCode()).isNull();
        assertThat(r.getComplete()).isFalse();
        assertThat(r.getStream()).isTrue(); // Ollama streams unless told otherwise
        assertThat(r.getE2eUs()).isEqualTo(30_000_000L);
        assertThat(r.getTtftUs()).isNull();
        assertThat(r.getOutputTokens()).isZero();
        assertThat(r.getError()).isEqualTo("no response within the timeout");
    }

    @Test
    void otherRoutesAreNotLlmTraffic() {
        LlmRequestAnalyzer builtInsOnly = new LlmRequestAnalyzer(LlmEndpoints.defaults(), new TenantResolver(null, "s"));
        assertThat(builtInsOnly.analyze(CapturedExchanges.exchanges("http1/07-sse").get(0))).isEmpty();
        assertThat(builtInsOnly.analyze(CapturedExchanges.exchanges("http1/01-get-keepalive").get(0))).isEmpty();
    }

    @Test
    void sameExchangeSameRecord() {
        LlmExchange e = CapturedExchanges.exchanges("http1/09-ollama-json").get(0);
        assertThat(analyze(e).request()).isEqualTo(analyze(CapturedExchanges.exchanges("http1/09-ollama-json").get(0))
                .request());
    }

    /**
     * Every golden split into random syscall-sized pieces (each keeping its segment's time), and every golden cut at
     * a random byte: the split ones analyse to the same record, the cut ones never throw.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"http1/07-sse", "http1/08-ndjson", "http1/09-ollama-json",
            "http1/10-sse-http10-close"})
    void splitDeliveryChangesNothingAndCutsNeverThrow(String golden) {
        List<DirectedSegment> segments = CapturedExchanges.connection(golden).segments();
        LlmRequest whole = analyze(CapturedExchanges.exchanges(segments, LlmExchange.End.RESPONSE_ENDED).get(0))
                .request();
        java.util.Random random = new java.util.Random(golden.hashCode());
        for (int i = 0; i < 20; i++) {
            List<DirectedSegment> split = io.tapflow.protocols.testing.Decoding.split(segments, random);
            assertThat(analyze(CapturedExchanges.exchanges(split, LlmExchange.End.RESPONSE_ENDED).get(0)).request())
                    .isEqualTo(whole);
            List<DirectedSegment> cut = io.tapflow.protocols.testing.Decoding.cut(segments, random);
            for (LlmExchange e : CapturedExchanges.exchanges(cut, LlmExchange.End.CUT)) {
                LlmRequest r = analyze(e).request();
                assertThat(r.getOutputTokens()).isLessThanOrEqualTo(whole.getOutputTokens());
                assertThat(r.getRequestId()).isEqualTo(whole.getRequestId());
            }
        }
    }
}
