package io.tapflow.llm.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.flink.flow.FlowKeys;
import io.tapflow.llm.recognition.CapturedExchanges;
import io.tapflow.llm.recognition.LlmEndpoints;
import io.tapflow.llm.recognition.LlmExchange;
import io.tapflow.llm.recognition.LlmRequestAnalyzer;
import io.tapflow.llm.recognition.TenantResolver;
import io.tapflow.schema.LlmRequest;
import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.ResponseStatus;
import io.tapflow.schema.Role;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link LlmExchangeAssembler} over real captured LLM-shaped traffic (the protocol goldens 07–10, recorded from curl
 * against a real streaming server), replayed by the collector's pcap source as the raw events of each end. The
 * reference is the analyzer's reading of the same capture decoded straight from its segments
 * ({@link CapturedExchanges}), whose figures {@code LlmRequestAnalyzerGoldenTest} checks against the renderings.
 */
class LlmExchangeAssemblerTest {

    /** The capture server's routes are not built-in LLM routes: configured, as a user would. */
    private static final LlmEndpoints ENDPOINTS = LlmEndpoints.withRoutes(
            List.of("demo:openai:chat:/sse", "demo-nd:ollama:generate_content:/ndjson"));
    private static final TenantResolver TENANTS = new TenantResolver("x-tenant", "salt");
    private static final AssemblyOptions OPTIONS = AssemblyOptions.defaults(ENDPOINTS, TENANTS)
            .withTimeouts(Duration.ofSeconds(30), Duration.ofMinutes(2), Duration.ofSeconds(2));
    private static final LlmRequestAnalyzer ANALYZER = new LlmRequestAnalyzer(ENDPOINTS, TENANTS);

    @ParameterizedTest
    @ValueSource(strings = {"http1/07-sse", "http1/08-ndjson", "http1/09-ollama-json", "http1/10-sse-http10-close"})
    void serverSideExchangesMatchTheCaptureAndLeaveNoStateOrTimer(String golden) throws Exception {
        ReplayedTraffic traffic = ReplayedTraffic.of(golden, Role.SERVER);
        try (var harness = harness()) {
            feed(harness, traffic.events());
            harness.processBothWatermarks(new Watermark(traffic.lastMs() + 5_000));

            List<LlmExchange> exchanges = exchanges(harness);
            assertThat(exchanges).hasSize(1);
            LlmExchange x = exchanges.get(0);
            assertThat(x.context().end()).isEqualTo(LlmExchange.End.RESPONSE_ENDED);
            assertThat(x.context().observationPoint()).isEqualTo(ObservationPoint.SERVER_PROCESS);
            assertThat(x.context().requestDataSeq()).isZero();
            LlmRequest expected = analyze(CapturedExchanges.exchanges(golden).get(0));
            LlmRequest actual = analyze(x);
            // the same capture decoded by the test straight from its segments, read by the same analyzer: only the
            // ids of agent and socket differ
            assertThat(LlmRequest.newBuilder(actual).setRequestId("").setAgentId("").setService("").build())
                    .isEqualTo(LlmRequest.newBuilder(expected).setRequestId("").setAgentId("").setService("")
                            .build());
            assertThat(actual.getOutputTokens()).isPositive();
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void clientSideSeesTheSameStreamFromTheCallingProcess() throws Exception {
        ReplayedTraffic traffic = ReplayedTraffic.of("http1/07-sse", Role.CLIENT);
        try (var harness = harness()) {
            feed(harness, traffic.events());
            harness.processBothWatermarks(new Watermark(traffic.lastMs() + 5_000));

            List<LlmExchange> exchanges = exchanges(harness);
            assertThat(exchanges).hasSize(1);
            assertThat(exchanges.get(0).context().observationPoint()).isEqualTo(ObservationPoint.CLIENT_PROCESS);
            LlmRequest r = analyze(exchanges.get(0));
            assertThat(r.getComplete()).isTrue();
            assertThat(r.getOutputTokens()).isEqualTo(2);
            assertThat(r.getTtftUs()).isPositive();
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aStreamCutByTheCloseEndsCutWithTheTokensSeenSoFar() throws Exception {
        ReplayedTraffic traffic = ReplayedTraffic.of("http1/07-sse", Role.SERVER);
        List<SocketDataEvent> data = traffic.data();
        // the request, the response head and the first content event; then the connection closes
        int firstContent = indexOf(data, "\"Hel\"");
        List<SpecificRecordBase> cut = new ArrayList<>(data.subList(0, firstContent + 1));
        SocketDataEvent last = data.get(firstContent);
        cut.add(ReplayedTraffic.close(traffic.connection(), Role.SERVER,
                last.getTimestampNs() + 1_000_000L));
        try (var harness = harness()) {
            feed(harness, cut);
            harness.processBothWatermarks(new Watermark(last.getTimestampNs() / 1_000_000L + 5_000));

            List<LlmExchange> exchanges = exchanges(harness);
            assertThat(exchanges).hasSize(1);
            assertThat(exchanges.get(0).context().end()).isEqualTo(LlmExchange.End.CUT);
            assertThat(exchanges.get(0).response().truncated()).isTrue();
            LlmRequest r = analyze(exchanges.get(0));
            assertThat(r.getComplete()).isFalse();
            assertThat(r.getOutputTokens()).isEqualTo(1);
            assertThat(r.getTtftUs()).isEqualTo(analyze(CapturedExchanges.exchanges("http1/07-sse").get(0))
                    .getTtftUs());
            assertThat(r.getError()).startsWith("stream cut");
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void lostBytesCutTheOpenExchangeAndTheFlowIsNotDecodedFurther() throws Exception {
        ReplayedTraffic traffic = ReplayedTraffic.of("http1/07-sse", Role.SERVER);
        List<SocketDataEvent> data = traffic.data();
        int firstContent = indexOf(data, "\"Hel\"");
        List<SpecificRecordBase> lossy = new ArrayList<>(data);
        lossy.remove(firstContent); // never arrives: the next segment's data_seq leaves a hole
        try (var harness = harness()) {
            feed(harness, lossy);
            harness.processBothWatermarks(new Watermark(traffic.lastMs() + 1_000));

            List<LlmExchange> exchanges = exchanges(harness);
            assertThat(exchanges).hasSize(1);
            assertThat(exchanges.get(0).context().end()).isEqualTo(LlmExchange.End.CUT);
            assertThat(analyze(exchanges.get(0)).getComplete()).isFalse();
            // a tombstone until the flow idles out
            assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
            harness.processBothWatermarks(new Watermark(traffic.lastMs() + OPTIONS.idleTimeout().toMillis() + 10));
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aResponseThatNeverEndsTimesOutThenTheIdleFlowIsEvicted() throws Exception {
        ReplayedTraffic traffic = ReplayedTraffic.of("http1/07-sse", Role.SERVER);
        List<SocketDataEvent> data = traffic.data();
        int firstContent = indexOf(data, "\"Hel\"");
        long startMs = data.get(0).getTimestampNs() / 1_000_000L;
        try (var harness = harness()) {
            feed(harness, new ArrayList<>(data.subList(0, firstContent + 1)));
            harness.processBothWatermarks(new Watermark(startMs + OPTIONS.exchangeTimeout().toMillis() + 10));

            List<LlmExchange> exchanges = exchanges(harness);
            assertThat(exchanges).hasSize(1);
            assertThat(exchanges.get(0).context().end()).isEqualTo(LlmExchange.End.TIMEOUT);
            LlmRequest r = analyze(exchanges.get(0));
            assertThat(r.getStatus()).isEqualTo(ResponseStatus.TIMEOUT);
            assertThat(r.getOutputTokens()).isEqualTo(1);
            assertThat(r.getComplete()).isFalse();

            long lastMs = data.get(firstContent).getTimestampNs() / 1_000_000L;
            harness.processBothWatermarks(new Watermark(lastMs + OPTIONS.idleTimeout().toMillis() - 10));
            assertThat(harness.numKeyedStateEntries()).isEqualTo(1); // the tombstone, until the flow idles out
            harness.processBothWatermarks(new Watermark(lastMs + OPTIONS.idleTimeout().toMillis() + 10));
            assertThat(exchanges(harness)).hasSize(1);
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aFlowWhoseFirstRequestIsNotAnLlmRouteIsDroppedAtItsFirstSegment() throws Exception {
        ReplayedTraffic traffic = ReplayedTraffic.of("http1/01-get-keepalive", Role.SERVER);
        List<SpecificRecordBase> server = traffic.events();
        try (var harness = harness()) {
            feed(harness, server.subList(0, 1));
            // only the tombstone: no decoder, no body, no ordering state
            assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
            feed(harness, server.subList(1, server.size()));
            harness.processBothWatermarks(new Watermark(traffic.lastMs() + 5_000));

            assertThat(exchanges(harness)).isEmpty();
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void snapshotMidStreamRestoresIntoAFreshHarnessWithIdenticalOutput() throws Exception {
        ReplayedTraffic traffic = ReplayedTraffic.of("http1/07-sse", Role.SERVER);
        List<SpecificRecordBase> events = traffic.events();
        Watermark end = new Watermark(traffic.lastMs() + 5_000);
        List<LlmExchange> uninterrupted;
        try (var harness = harness()) {
            feed(harness, events);
            harness.processBothWatermarks(end);
            uninterrupted = exchanges(harness);
        }
        assertThat(uninterrupted).hasSize(1);

        int mid = indexOf(traffic.data(), "\"Hel\"") + 1;
        int split = mid; // data events come first, the close last
        OperatorSubtaskState snapshot;
        List<LlmExchange> restored = new ArrayList<>();
        try (var before = harness()) {
            feed(before, events.subList(0, split));
            snapshot = before.snapshot(1, 1);
            restored.addAll(exchanges(before));
        }
        try (var after = unopened()) {
            after.initializeState(snapshot);
            after.open();
            feed(after, events.subList(split, events.size()));
            after.processBothWatermarks(end);
            restored.addAll(exchanges(after));
            assertThat(after.numKeyedStateEntries()).isZero();
            assertThat(after.numEventTimeTimers()).isZero();
        }
        assertThat(restored).hasSize(1);
        assertThat(analyze(restored.get(0))).isEqualTo(analyze(uninterrupted.get(0)));
        assertThat(restored.get(0).context()).isEqualTo(uninterrupted.get(0).context());
    }

    private static LlmRequest analyze(LlmExchange x) {
        return ANALYZER.analyze(x).orElseThrow().request();
    }

    private static int indexOf(List<SocketDataEvent> data, String text) {
        for (int i = 0; i < data.size(); i++) {
            byte[] b = new byte[data.get(i).getPayload().remaining()];
            data.get(i).getPayload().duplicate().get(b);
            if (new String(b, java.nio.charset.StandardCharsets.UTF_8).contains(text)) {
                return i;
            }
        }
        throw new AssertionError(text + " not in the capture");
    }

    private static void feed(KeyedTwoInputStreamOperatorTestHarness<String, SocketDataEvent, TcpEvent,
            LlmExchange> h, List<? extends SpecificRecordBase> events) throws Exception {
        for (SpecificRecordBase e : events) {
            if (e instanceof SocketDataEvent d) {
                h.processElement1(new StreamRecord<>(d, d.getTimestampNs() / 1_000_000L));
            } else {
                TcpEvent t = (TcpEvent) e;
                h.processElement2(new StreamRecord<>(t, t.getTimestampNs() / 1_000_000L));
            }
        }
    }

    private static List<LlmExchange> exchanges(KeyedTwoInputStreamOperatorTestHarness<String, SocketDataEvent,
            TcpEvent, LlmExchange> h) {
        return h.extractOutputValues();
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, SocketDataEvent, TcpEvent, LlmExchange> harness()
            throws Exception {
        var h = unopened();
        h.open();
        return h;
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, SocketDataEvent, TcpEvent, LlmExchange> unopened()
            throws Exception {
        return new KeyedTwoInputStreamOperatorTestHarness<>(
                new KeyedCoProcessOperator<>(new LlmExchangeAssembler(OPTIONS)), FlowKeys.data(), FlowKeys.tcp(),
                Types.STRING);
    }
}
