package io.tapflow.llm.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Concurrency and throughput under 50 overlapping streams: curl processes started 20 ms apart stream one model of
 * the scripted server ({@link ScriptedLlmServerMain}) for 0.4 to 1.9 s each ({@code max_tokens} varies), captured by
 * the real eBPF collector, through real Kafka into the job on a MiniCluster, out to a real ClickHouse and Prometheus.
 *
 * <p>What "matches" means here. The ground truth is the server's own timing of each request (first byte read, last
 * write issued), not the intended schedule, which a loaded 2-core machine shifts. The server reads its clock just
 * after the read() the collector times the request's start by, and just before the write() it times the end by: so
 * each request interval of the job (paired by its token count, unique per stream) holds the server's, give or take
 * {@value #CLOCK_US} µs of clock conversion, and exceeds it by no more than the server thread may be kept off the
 * CPU between the call and its clock reading ({@value #SCHEDULING_US} µs, seen up to 22 ms with the machine's load
 * at 25). Then the in-flight level the job reports for a window lies between the level of the server's intervals
 * shrunk by the first and widened by the second, for the maximum and the time-weighted mean alike; and it equals,
 * exactly, the level of the job's own per-request intervals (llm_requests) computed here without the job's code.
 * Checked for the 1-min rows (llm_metrics_1m) and the 10 s Prometheus gauges (which also drop to 0 in the quiet
 * window after the run).
 *
 * <p>Output tokens/s: PromQL over the whole minutes that hold the run, from the counter's samples at the range's two
 * ends (no rate() extrapolation), against the same minutes of llm_metrics_1m.
 */
class LlmConcurrencyITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(() -> new MiniClusterResourceConfiguration
            .Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    /** TTFT 60 ms, then a token every 20 ms, up to 90 tokens (1.84 s); each request's max_tokens cuts it shorter. */
    private static final String MODEL = "s-60-20-90";
    private static final int STREAMS = 50;
    private static final Duration STAGGER = Duration.ofMillis(20);
    /** Error of comparing the server's CLOCK_MONOTONIC readings with the collector's wall-clock timestamps. */
    private static final long CLOCK_US = 1_000;
    /** How long the server's thread may be kept off the CPU between a system call and its clock reading. */
    private static final long SCHEDULING_US = 50_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final LlmJobFixture fixture = LlmJobFixture.forDatabase("llm_conc_it");

    /** 20..90 tokens, spread over the streams so that long and short ones interleave. */
    private static int maxTokens(int stream) {
        return 20 + stream * 37 % 71;
    }

    @Test
    void fiftyOverlappingStreamsGiveTheServersConcurrencyAndTokenRate() throws Exception {
        Map<Long, InFlight> server = new TreeMap<>();
        long serverTokens = 0;
        try (ScriptedServer s = ScriptedServer.start(); CollectorCapture capture = CollectorCapture.of(s, "llm-conc")) {
            List<List<String>> curls = IntStream.range(0, STREAMS).mapToObj(i -> LlmClients.curl(s.base(),
                    "/v1/chat/completions", LlmClients.body("/v1/chat/completions", MODEL, true, true, maxTokens(i)),
                    "key-C", null)).toList();
            capture.runStaggered(curls, STAGGER);
            capture.pollFor(Duration.ofSeconds(2));
            fixture.publish(capture.events());
            for (ScriptedServer.Served r : s.served()) {
                assertThat(server.put((long) r.tokens(), new InFlight(s.wallUs(r.startNs()), s.wallUs(r.endNs()))))
                        .as("one stream of %d tokens", r.tokens()).isNull();
                serverTokens += r.tokens();
            }
        }
        assertThat(server).as("requests the server finished").hasSize(STREAMS);
        fixture.runBounded("llm-concurrency-it");

        Map<Long, InFlight> byTokens = new TreeMap<>();
        long jobTokens = 0;
        for (String line : fixture.lines("SELECT start_time_us, e2e_us, output_tokens FROM "
                + fixture.table("llm_requests") + " FINAL WHERE model = '" + MODEL + "' AND complete = 1")) {
            long[] f = longs(line);
            byTokens.put(f[2], new InFlight(f[0], f[0] + f[1]));
            jobTokens += f[2];
        }
        List<InFlight> job = List.copyOf(byTokens.values());
        assertThat(byTokens.keySet()).as("token counts of the complete requests in llm_requests")
                .isEqualTo(server.keySet());
        assertThat(jobTokens).as("output tokens in llm_requests = tokens the server wrote").isEqualTo(serverTokens)
                .isEqualTo(IntStream.range(0, STREAMS).map(LlmConcurrencyITCase::maxTokens).sum());
        sameIntervals(server, byTokens);
        List<InFlight> shrunk = server.values().stream().map(i -> i.shrunk(CLOCK_US)).toList();
        List<InFlight> widened = server.values().stream().map(i -> i.widened(SCHEDULING_US)).toList();
        long peak = InFlight.max(shrunk, Long.MIN_VALUE / 2, Long.MAX_VALUE / 2);
        System.out.printf("peak concurrency of the server's intervals: %d..%d; starts spread over %d ms%n", peak,
                InFlight.max(widened, Long.MIN_VALUE / 2, Long.MAX_VALUE / 2), (job.stream().mapToLong(
                InFlight::fromUs).max().orElseThrow() - job.stream().mapToLong(InFlight::fromUs).min().orElseThrow())
                / 1000);
        assertThat(peak).as("streams in flight at once (the scenario itself)").isGreaterThanOrEqualTo(10L);

        // llm_metrics_1m: one row per minute the requests overlap
        TreeMap<Long, long[]> rows = new TreeMap<>();
        TreeMap<Long, Double> means = new TreeMap<>();
        for (String line : fixture.lines("SELECT window_start_ms, requests, concurrency_max, output_tokens,"
                + " concurrency_mean FROM " + fixture.table("llm_metrics_1m") + " FINAL WHERE model = '" + MODEL
                + "'")) {
            long[] f = longs(line.substring(0, line.lastIndexOf('\t')));
            rows.put(f[0], f);
            means.put(f[0], Double.parseDouble(line.substring(line.lastIndexOf('\t') + 1)));
        }
        assertThat(rows.keySet()).as("minutes of llm_metrics_1m").isEqualTo(InFlight.windows(job, 60_000));
        assertThat(rows.values().stream().mapToLong(r -> r[3]).sum()).as("output tokens of llm_metrics_1m")
                .isEqualTo(jobTokens);
        for (long w : rows.keySet()) {
            long from = w * 1000;
            long to = (w + 60_000) * 1000;
            long starts = job.stream().filter(i -> i.fromUs() >= from && i.fromUs() < to).count();
            assertThat(rows.get(w)[1]).as("requests started in minute %d", w).isEqualTo(starts);
            matches("llm_metrics_1m " + w, rows.get(w)[2], means.get(w), job, shrunk, widened, from, to);
        }

        // the 10 s Prometheus gauges: a sample at the end of each window with requests in flight, and a 0 at the
        // end of the quiet window after it (else an instant query would report the last burst for 5 minutes)
        TreeSet<Long> busy = InFlight.windows(job, 10_000);
        TreeSet<Long> sampled = new TreeSet<>();
        for (long w : busy) {
            sampled.add(w + 10_000);
            if (!busy.contains(w + 10_000)) {
                sampled.add(w + 20_000);
            }
        }
        TreeMap<Long, Double> max10s = samples("gen_ai_server_concurrent_requests_max", sampled.last());
        TreeMap<Long, Double> mean10s = samples("gen_ai_server_concurrent_requests_mean", sampled.last());
        assertThat(max10s.keySet()).as("10 s windows of the max gauge").isEqualTo(mean10s.keySet())
                .isEqualTo(sampled);
        assertThat(max10s.lastEntry().getValue()).as("max gauge after the run").isZero();
        for (long end : max10s.keySet()) {
            double max = max10s.get(end);
            assertThat(max).as("an integral maximum").isEqualTo(Math.rint(max));
            matches("prometheus " + end, (long) max, mean10s.get(end), job, shrunk, widened, (end - 10_000) * 1000,
                    end * 1000);
        }

        tokenRate(job, rows);
    }

    /** Each of the job's intervals holds the server's and exceeds it by no more than the scheduling delay. */
    private static void sameIntervals(Map<Long, InFlight> server, Map<Long, InFlight> job) {
        List<Long> earlier = new ArrayList<>();
        List<Long> later = new ArrayList<>();
        for (long tokens : server.keySet()) {
            earlier.add(server.get(tokens).fromUs() - job.get(tokens).fromUs());
            later.add(job.get(tokens).toUs() - server.get(tokens).toUs());
        }
        earlier.sort(null);
        later.sort(null);
        System.out.printf("the job's start before the server's clock reading, us: %s%nthe job's end after it, us: %s%n",
                earlier, later);
        assertThat(earlier).as("job start before the server's, us").allMatch(d -> d >= -CLOCK_US && d <= SCHEDULING_US);
        assertThat(later).as("job end after the server's, us").allMatch(d -> d >= -CLOCK_US && d <= SCHEDULING_US);
    }

    /** A window's reported max and mean: exactly the job's intervals', within the server's bounds. */
    private static void matches(String window, long max, double mean, List<InFlight> job, List<InFlight> shrunk,
            List<InFlight> widened, long fromUs, long toUs) {
        long lo = InFlight.max(shrunk, fromUs, toUs);
        long hi = InFlight.max(widened, fromUs, toUs);
        double meanLo = InFlight.mean(shrunk, fromUs, toUs);
        double meanHi = InFlight.mean(widened, fromUs, toUs);
        System.out.printf("%s: max %d (server %d..%d), mean %.6f (server %.6f..%.6f)%n", window, max, lo, hi, mean,
                meanLo, meanHi);
        assertThat(max).as("%s: max of the job's own intervals", window).isEqualTo(InFlight.max(job, fromUs, toUs));
        assertThat(mean).as("%s: mean of the job's own intervals", window)
                .isCloseTo(InFlight.mean(job, fromUs, toUs), within(1e-9));
        assertThat(max).as("%s: max within the server's", window).isBetween(lo, hi);
        assertThat(mean).as("%s: mean within the server's", window).isBetween(meanLo - 1e-9, meanHi + 1e-9);
    }

    /**
     * Output tokens/s over the whole minutes holding every request, start to end: PromQL from the counter's
     * samples at the range's ends (a fresh Prometheus: no sample before the run means 0), ClickHouse from the
     * same minutes' llm_metrics_1m rows (requests counted where they start; Prometheus counts them where they end,
     * inside the same range).
     */
    private static void tokenRate(List<InFlight> job, TreeMap<Long, long[]> rows) throws Exception {
        long fromMs = Math.floorDiv(job.stream().mapToLong(InFlight::fromUs).min().orElseThrow() / 1000, 60_000)
                * 60_000;
        long toMs = (Math.floorDiv(job.stream().mapToLong(InFlight::toUs).max().orElseThrow() / 1000, 60_000) + 1)
                * 60_000;
        double seconds = (toMs - fromMs) / 1000.0;
        String counter = "gen_ai_server_tokens_total{gen_ai_token_type=\"output\",model=\"" + MODEL + "\"}";
        String promql = String.format("sum by (model) (%1$s @ %3$d - (%1$s @ %2$d or %1$s @ %3$d * 0)) / %4$d",
                counter, fromMs / 1000, toMs / 1000, (toMs - fromMs) / 1000);
        JsonNode result = JSON.readTree(fixture.prometheus.query(promql)).path("data").path("result");
        assertThat(result.size()).as("series of %s: %s", promql, result).isEqualTo(1);
        double prometheus = result.get(0).path("value").get(1).asDouble();
        long clickhouseTokens = Long.parseLong(fixture.lines("SELECT sum(output_tokens) FROM "
                + fixture.table("llm_metrics_1m") + " FINAL WHERE model = '" + MODEL + "' AND window_start_ms >= "
                + fromMs + " AND window_start_ms < " + toMs).get(0));
        double clickhouse = clickhouseTokens / seconds;
        String rate = fixture.prometheus.query("sum by (model) (rate(" + counter + "[5m]))");
        System.out.printf("output tokens/s over [%d, %d): PromQL %.6f, llm_metrics_1m %.6f (%d tokens in %d rows);"
                + " README's rate()[5m] now: %s%n", fromMs, toMs, prometheus, clickhouse, clickhouseTokens,
                rows.size(), rate);
        assertThat(clickhouseTokens).as("tokens of llm_metrics_1m in the range")
                .isEqualTo(rows.values().stream().mapToLong(r -> r[3]).sum());
        assertThat(prometheus).as("PromQL %s", promql).isCloseTo(clickhouse, within(1e-9));
    }

    /**
     * The raw samples of a gauge of MODEL in the hour up to {@code untilMs}: sample time (ms) → value. Evaluated at
     * that instant, not now: the bounded job's end of input writes the quiet window's 0 at that window's end, which
     * can still lie ahead of the wall clock.
     */
    private static TreeMap<Long, Double> samples(String gauge, long untilMs) throws Exception {
        JsonNode result = JSON.readTree(fixture.prometheus.query(gauge + "{model=\"" + MODEL + "\"}[1h] @ "
                + untilMs / 1000)).path("data").path("result");
        assertThat(result.size()).as("series of %s: %s", gauge, result).isEqualTo(1);
        TreeMap<Long, Double> samples = new TreeMap<>();
        for (JsonNode v : result.get(0).path("values")) {
            samples.put(Math.round(v.get(0).asDouble() * 1000), v.get(1).asDouble());
        }
        return samples;
    }

    private static long[] longs(String tabSeparated) {
        String[] f = tabSeparated.split("\t");
        long[] out = new long[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = Long.parseLong(f[i]);
        }
        return out;
    }
}
