package io.tapflow.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tapflow.flink.sink.prometheus.PrometheusTimeSeries;
import io.tapflow.llm.recognition.CapturedExchanges;
import io.tapflow.llm.recognition.HttpFixture;
import io.tapflow.llm.recognition.LlmEndpoints;
import io.tapflow.llm.recognition.LlmExchange;
import io.tapflow.llm.recognition.LlmRequestAnalyzer;
import io.tapflow.llm.recognition.TenantResolver;
import io.tapflow.schema.LlmMetric;
import io.tapflow.schema.LlmRequest;
import io.tapflow.schema.LlmUsage;
import io.tapflow.schema.ObservationPoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The stages as {@link LlmPipeline} wires them, at parallelism 2 without generic (Kryo) types, over 50 overlapping
 * OpenAI-style streams of a known schedule (TTFT 1 s, TPOT 100 ms, 10 s each, one starting every 100 ms, two
 * tenants), the real Ollama capture and a non-LLM capture; run twice to show a replay yields identical output.
 */
class LlmPipelineITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(() -> new MiniClusterResourceConfiguration
            .Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final int STREAMS = 50;
    private static final String MODEL = "llama-3-8b";

    private record Run(List<LlmRequest> requests, List<LlmMetric> metrics, List<LlmUsage> usage,
                       List<PrometheusTimeSeries> series) {
    }

    @Test
    void fiftyOverlappingStreamsAndARealCapture() throws Exception {
        Run run = run();

        assertThat(run.requests()).hasSize(STREAMS + 1);
        assertThat(run.requests()).extracting(LlmRequest::getRequestId).doesNotHaveDuplicates();
        List<LlmRequest> llama = run.requests().stream().filter(r -> r.getModel().equals(MODEL)).toList();
        assertThat(llama).hasSize(STREAMS).allSatisfy(r -> {
            assertThat(r.getTtftUs()).isEqualTo(1_000_000L);
            assertThat(r.getTpotUs()).isEqualTo(100_000L);
            assertThat(r.getE2eUs()).isEqualTo(10_000_000L);
            assertThat(r.getInputTokens()).isEqualTo(10);
            assertThat(r.getOutputTokens()).isEqualTo(3);
            assertThat(r.getTokensEstimated()).isFalse();
            assertThat(r.getComplete()).isTrue();
        });

        LlmMetric m = run.metrics().stream().filter(x -> x.getModel().equals(MODEL)).findFirst().orElseThrow();
        assertThat(run.metrics()).filteredOn(x -> x.getModel().equals(MODEL)).hasSize(1);
        assertThat(m.getWindowSizeMs()).isEqualTo(60_000);
        assertThat(m.getRequests()).isEqualTo(STREAMS);
        // all 50 are open from 4.9 s to 10 s; 50 x 10 s in flight over a 60 s window
        assertThat(m.getConcurrencyMax()).isEqualTo(STREAMS);
        assertThat(m.getConcurrencyMean()).isCloseTo(500.0 / 60, within(1e-9));
        assertThat(m.getTtftBucketCounts().get(11)).isEqualTo(STREAMS); // le = 1.0
        assertThat(m.getTtftP95Us()).isCloseTo(1_000_000, within(10_000.0));
        assertThat(m.getTpotBucketCounts().get(4)).isEqualTo(STREAMS); // le = 0.1
        assertThat(m.getOutputTokens()).isEqualTo(3 * STREAMS);

        List<LlmUsage> llamaUsage = run.usage().stream().filter(u -> u.getModel().equals(MODEL))
                .sorted(Comparator.comparing(LlmUsage::getTenant)).toList();
        assertThat(llamaUsage).hasSize(2).allSatisfy(u -> {
            assertThat(u.getRequests()).isEqualTo(STREAMS / 2);
            assertThat(u.getInputTokens()).isEqualTo(10 * STREAMS / 2);
            assertThat(u.getOutputTokens()).isEqualTo(3 * STREAMS / 2);
            assertThat(u.getEstimatedRequests()).isZero();
            assertThat(u.getVersion()).isEqualTo(STREAMS / 2);
            assertThat(u.getTenant()).hasSize(32);
        });
        assertThat(run.usage()).filteredOn(u -> u.getModel().equals("tiny")).singleElement()
                .satisfies(u -> assertThat(u.getTenant()).isEmpty());

        Map<String, Double> last = run.series().stream().filter(s -> s.seriesKey().contains(MODEL))
                .collect(Collectors.toMap(PrometheusTimeSeries::seriesKey, s -> s.valueAt(s.sampleCount() - 1),
                        Math::max));
        assertThat(valueOf(last, "gen_ai_server_requests_total{")).isEqualTo(STREAMS);
        assertThat(valueOf(last, "gen_ai_server_time_to_first_token_seconds_bucket{le=\"1.0\"")).isEqualTo(STREAMS);
        assertThat(valueOf(last, "gen_ai_server_time_to_first_token_seconds_bucket{le=\"0.75\"")).isZero();
        assertThat(valueOf(last, "gen_ai_server_tokens_total{gen_ai_token_type=\"output\"")).isEqualTo(3 * STREAMS);
        assertThat(valueOf(last, "gen_ai_server_concurrent_requests_max{")).isEqualTo(STREAMS);

        Run replay = run();
        assertThat(sortedById(replay.requests())).isEqualTo(sortedById(run.requests()));
        assertThat(replay.metrics()).containsExactlyInAnyOrderElementsOf(run.metrics());
        assertThat(replay.usage()).containsExactlyInAnyOrderElementsOf(run.usage());
    }

    private static double valueOf(Map<String, Double> last, String prefix) {
        List<Double> v = last.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .map(Map.Entry::getValue).toList();
        assertThat(v).as(prefix).hasSize(1);
        return v.get(0);
    }

    private static List<LlmRequest> sortedById(List<LlmRequest> requests) {
        return requests.stream().sorted(Comparator.comparing(LlmRequest::getRequestId)).toList();
    }

    private static Run run() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.configure(new Configuration().set(PipelineOptions.GENERIC_TYPES, false));
        assertThat(env.getConfig().getSerializerConfig().hasGenericTypesDisabled()).isTrue();
        env.setParallelism(2);

        DataStream<LlmExchange> exchanges = env.fromData(exchanges(), LlmTypes.EXCHANGE).setParallelism(1)
                .assignTimestampsAndWatermarks(WatermarkStrategy.<LlmExchange>forMonotonousTimestamps()
                        .withTimestampAssigner((e, ts) -> e.context().endTimestampNs() / 1_000_000))
                .setParallelism(1);
        TenantResolver tenants = new TenantResolver(null, "it-salt");
        LlmPipeline.Streams out = LlmPipeline.build(exchanges,
                new LlmRequestAnalyzer(LlmEndpoints.defaults(), tenants),
                new LlmPipeline.Settings(Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(5),
                        Duration.ofHours(1),
                        Duration.ofMinutes(30), ObservationPoint.SERVER_PROCESS));
        try (CloseableIterator<LlmRequest> requests = out.requests().collectAsync();
                CloseableIterator<LlmMetric> metrics = out.metrics1m().collectAsync();
                CloseableIterator<LlmUsage> usage = out.usage().collectAsync();
                CloseableIterator<PrometheusTimeSeries> series = out.prometheus().collectAsync()) {
            env.execute("llm-pipeline-itcase");
            return new Run(drain(requests), drain(metrics), drain(usage), drain(series));
        }
    }

    /** The scheduled streams, then the real captures, in the order of their end (the source's event time). */
    private static List<LlmExchange> exchanges() {
        List<LlmExchange> all = new ArrayList<>();
        for (int i = 0; i < STREAMS; i++) {
            long s = i * 100_000L;
            LlmExchange e = HttpFixture.post("/v1/chat/completions", "{\"model\":\"" + MODEL
                            + "\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", s,
                            "Authorization: Bearer key-" + (i % 2 == 0 ? "A" : "B"))
                    .streamHead("text/event-stream", s + 500)
                    .chunk("data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n", s + 600)
                    .chunk("data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n", s + 1_000_000)
                    .chunk("data: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\n\n", s + 1_100_000)
                    .chunk("data: {\"choices\":[{\"delta\":{\"content\":\"!\"},\"finish_reason\":\"stop\"}]}\n\n",
                            s + 1_200_000)
                    .chunk("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":3}}\n\n",
                            s + 9_900_000)
                    .chunk("data: [DONE]\n\n", s + 9_950_000)
                    .lastChunk(s + 10_000_000)
                    .exchange();
            LlmExchange.Context c = e.context();
            all.add(new LlmExchange(e.request(), e.response(), new LlmExchange.Context(c.agentId(), 1000 + i,
                    c.requestDataSeq(), c.service(), c.observationPoint(), c.end(), c.endTimestampNs())));
        }
        all.addAll(CapturedExchanges.exchanges("http1/09-ollama-json"));
        all.addAll(CapturedExchanges.exchanges("http1/01-get-keepalive")); // not LLM traffic: dropped
        all.sort(Comparator.comparingLong(e -> e.context().endTimestampNs()));
        return all;
    }

    private static <T> List<T> drain(Iterator<T> it) {
        List<T> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
