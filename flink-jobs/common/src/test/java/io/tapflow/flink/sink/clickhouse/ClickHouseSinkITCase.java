package io.tapflow.flink.sink.clickhouse;

import io.tapflow.flink.testing.TcpForwarder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.clickhouse.client.api.Client;
import io.tapflow.localstack.clickhouse.ClickHouseServer;
import io.tapflow.localstack.process.FreePorts;
import io.tapflow.schema.clickhouse.ChecksumPolicy;
import io.tapflow.schema.clickhouse.ClickHouseMigrator;
import io.tapflow.schema.clickhouse.MigrationSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink in a MiniCluster job against the real ClickHouse server (Debian's 18.16 here), writing the real tapflow
 * table llm_usage_hourly as created by the migrator. Flink restarts are off: whatever is retried, the sink retried.
 */
class ClickHouseSinkITCase {

    private static final int N = 20_000;
    /** 2023-11-14T22:00:00Z, an hour start. */
    private static final long HOUR_MS = 1_699_999_200_000L;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(() -> new MiniClusterResourceConfiguration
            .Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
            .build());

    private static ClickHouseServer shared;

    @BeforeAll
    static void startClickHouse() {
        shared = ClickHouseServer.shared();
    }

    /** One llm_usage_hourly row per id; usage_id is deterministic, so a repeated row collapses on merge. */
    static final class UsageRowSerializer implements ClickHouseRowSerializer<Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(Long id) {
            return ("{\"usage_id\":\"u-" + id + "\",\"tenant\":\"tenant-" + (id % 7) + "\",\"model\":\"model-"
                    + (id % 3) + "\",\"hour_start_ms\":" + (HOUR_MS + (id % 24) * 3_600_000L) + ",\"requests\":"
                    + (id % 5 + 1) + ",\"input_tokens\":" + (3 * id) + ",\"output_tokens\":" + (2 * id)
                    + ",\"estimated_requests\":0,\"version\":1}").getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Like {@link UsageRowSerializer}, but the row of one id carries a word where the table wants a number. */
    static final class OneBadRowSerializer implements ClickHouseRowSerializer<Long> {
        private static final long serialVersionUID = 1L;
        private final long badId;

        OneBadRowSerializer(long badId) {
            this.badId = badId;
        }

        @Override
        public byte[] serialize(Long id) {
            String row = new String(new UsageRowSerializer().serialize(id), StandardCharsets.UTF_8);
            return (id == badId ? row.replace("\"requests\":", "\"requests\":\"many\",\"_\":") : row)
                    .getBytes(StandardCharsets.UTF_8);
        }
    }

    @Test
    @Timeout(60)
    void writesEveryRowExactlyOnceWhenNothingFails() throws Exception {
        String db = migratedDatabase(shared);
        ClickHouseSink<Long> sink = sink(shared.httpUrl(), db, new UsageRowSerializer()).build();

        JobID job = run(env -> env.fromSequence(1, N), sink);

        // no failure, no retry: not even a duplicate before merges
        assertThat(scalar(shared, "SELECT count() FROM " + db + ".llm_usage_hourly")).isEqualTo(N);
        assertExactlyTheRows(shared, db);
        assertThat(shared.query("SELECT usage_id, tenant, model, hour_start_ms, requests, input_tokens, output_tokens,"
                + " version, toString(hour_start) FROM " + db + ".llm_usage_hourly WHERE usage_id IN ('u-1', "
                + "'u-12345', 'u-20000') ORDER BY usage_id FORMAT TabSeparated")).isEqualTo(""
                + "u-1\ttenant-1\tmodel-1\t1700002800000\t2\t3\t2\t1\t2023-11-14 23:00:00\n"
                + "u-12345\ttenant-4\tmodel-0\t1700031600000\t1\t37035\t24690\t1\t2023-11-15 07:00:00\n"
                + "u-20000\ttenant-1\tmodel-2\t1700028000000\t1\t60000\t40000\t1\t2023-11-15 06:00:00\n");
        assertThat(counter(job, ClickHouseSinkMetrics.ROWS_WRITTEN)).isEqualTo(N);
        assertThat(counter(job, ClickHouseSinkMetrics.BATCHES_WRITTEN)).isBetween(N / 2_000L, (long) N);
        assertThat(counter(job, ClickHouseSinkMetrics.RETRIES)).isZero();
        assertThat(counter(job, ClickHouseSinkMetrics.FAILED_BATCHES)).isZero();
    }

    @Test
    @Timeout(90)
    void everyRowArrivesWhenTheServerIsStoppedMidStreamAndComesBack(@TempDir Path dir) throws Exception {
        ClickHouseServer first = ClickHouseServer.start(dir.resolve("clickhouse"));
        ClickHouseServer second = null;
        try (TcpForwarder front = new TcpForwarder(first.httpPort())) {
            String db = migratedDatabase(first);
            ClickHouseSink<Long> sink = sink(front.url(), db, new UsageRowSerializer())
                    .setMaxBatchRows(500)
                    .setMaxTimeInBuffer(Duration.ofMillis(100))
                    .setRetryBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
                    .setMaxAttempts(100)
                    .setRequestTimeout(Duration.ofSeconds(5))
                    .build();
            StreamExecutionEnvironment env = environment();
            // ~5 s of input, so the outage falls in the middle of the stream
            env.fromSource(new DataGeneratorSource<>(id -> id + 1, N, RateLimiterStrategy.perSecond(4_000),
                    Types.LONG), WatermarkStrategy.noWatermarks(), "usage").sinkTo(sink);
            JobClient job = env.executeAsync("clickhouse-sink-restart");

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (scalar(first, "SELECT count() FROM " + db + ".llm_usage_hourly") == 0) {
                assertThat(System.nanoTime()).as("first rows within 30 s").isLessThan(deadline);
                Thread.sleep(50);
            }
            long before = scalar(first, "SELECT count() FROM " + db + ".llm_usage_hourly");
            // SIGKILL: a crash. SIGTERM is no outage — ClickHouse finishes its connections' inserts for seconds first
            ProcessHandle.of(first.pid()).ifPresent(ProcessHandle::destroyForcibly);
            while (first.isAlive()) {
                assertThat(System.nanoTime()).as("server dead within 30 s").isLessThan(deadline);
                Thread.sleep(10);
            }
            first.close(); // the data directory stays
            Thread.sleep(1_500); // inserts fail against the stopped server and back off
            second = ClickHouseServer.start(dir.resolve("clickhouse"));
            front.retarget(second.httpPort());

            job.getJobExecutionResult().get(60, TimeUnit.SECONDS);

            // rows were in before the stop, and inserts failed after it: the stop fell mid-stream
            assertThat(before).isBetween(1L, N - 1L);
            assertThat(counter(job.getJobID(), ClickHouseSinkMetrics.RETRIES)).as("retried batches").isPositive();
            assertThat(counter(job.getJobID(), ClickHouseSinkMetrics.FAILED_BATCHES)).isZero();
            // an insert cut off by the stop may have been written and then retried: raw rows ≥ N, keys exactly N
            assertThat(scalar(second, "SELECT count() FROM " + db + ".llm_usage_hourly")).isGreaterThanOrEqualTo(N);
            assertExactlyTheRows(second, db);
        } finally {
            if (second != null) {
                second.close();
            }
            first.close();
        }
    }

    @Test
    @Timeout(60)
    void failsLoudlyOnARowTheTableCannotParse() throws Exception {
        String db = migratedDatabase(shared);
        ClickHouseSink<Long> sink = sink(shared.httpUrl(), db, new OneBadRowSerializer(777)).build();
        StreamExecutionEnvironment env = environment();
        env.fromSequence(1, 2_000).sinkTo(sink);
        JobClient job = env.executeAsync("clickhouse-sink-bad-row");
        long start = System.nanoTime();

        assertThatThrownBy(() -> job.getJobExecutionResult().get(40, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .satisfies(e -> {
                    Optional<ClickHouseSinkException> cause =
                            ExceptionUtils.findThrowable(e, ClickHouseSinkException.class);
                    assertThat(cause).as("ClickHouseSinkException in %s", e).isPresent();
                    assertThat(cause.get().clickHouseCode()).isEqualTo(27);
                    assertThat(cause.get().getMessage())
                            .contains("ClickHouse rejected an insert of")
                            .contains(db + ".llm_usage_hourly")
                            .contains("code 27 CANNOT_PARSE_INPUT_ASSERTION_FAILED")
                            .contains("DB::Exception: Cannot parse input")
                            .contains("not retried");
                });
        // rejected on the first answer, not after a round of retries
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThat(counter(job.getJobID(), ClickHouseSinkMetrics.RETRIES)).isZero();
        assertThat(counter(job.getJobID(), ClickHouseSinkMetrics.FAILED_BATCHES)).isPositive();
    }

    @Test
    @Timeout(60)
    void givesUpAfterMaxAttemptsWhenTheServerStaysAway() throws Exception {
        try (TcpForwarder nowhere = new TcpForwarder(FreePorts.find())) {
            ClickHouseSink<Long> sink = sink(nowhere.url(), "tapflow", new UsageRowSerializer())
                    .setRetryBackoff(Duration.ofMillis(20), Duration.ofMillis(50))
                    .setMaxAttempts(3)
                    .build();
            StreamExecutionEnvironment env = environment();
            env.setParallelism(1); // one writer: exactly max attempts − 1 retries
            env.fromSequence(1, 100).sinkTo(sink);
            JobClient job = env.executeAsync("clickhouse-sink-gives-up");

            assertThatThrownBy(() -> job.getJobExecutionResult().get(40, TimeUnit.SECONDS))
                    .satisfies(e -> {
                        Optional<ClickHouseSinkException> cause =
                                ExceptionUtils.findThrowable(e, ClickHouseSinkException.class);
                        assertThat(cause).as("ClickHouseSinkException in %s", e).isPresent();
                        assertThat(cause.get().getMessage())
                                .contains("into tapflow.llm_usage_hourly at " + nowhere.url())
                                .contains("still failing after 3 attempts (max attempts 3)")
                                .contains("retriable");
                    });
            assertThat(counter(job.getJobID(), ClickHouseSinkMetrics.RETRIES)).isEqualTo(2);
            assertThat(counter(job.getJobID(), ClickHouseSinkMetrics.ROWS_WRITTEN)).isZero();
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private static ClickHouseSinkBuilder<Long> sink(String endpoint, String db, ClickHouseRowSerializer<Long> rows) {
        return ClickHouseSink.<Long>builder()
                .setEndpoint(endpoint)
                .setDatabase(db)
                .setTable("llm_usage_hourly")
                .setUsername(ClickHouseServer.USER)
                .setPassword("")
                .setSerializer(rows)
                .setMaxBatchRows(2_000)
                .setMaxTimeInBuffer(Duration.ofMillis(200));
    }

    private static StreamExecutionEnvironment environment() {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        return env;
    }

    private static JobID run(java.util.function.Function<StreamExecutionEnvironment, DataStream<Long>> source,
            ClickHouseSink<Long> sink) throws Exception {
        StreamExecutionEnvironment env = environment();
        source.apply(env).sinkTo(sink);
        JobClient job = env.executeAsync("clickhouse-sink");
        job.getJobExecutionResult().get(45, TimeUnit.SECONDS);
        return job.getJobID();
    }

    private static String migratedDatabase(ClickHouseServer server) throws Exception {
        String db = "sink_it_" + DATABASES.incrementAndGet();
        try (Client client = server.newClient("default")) {
            new ClickHouseMigrator(client, db, null, ChecksumPolicy.FAIL).migrate(MigrationSource.tapflowDdl());
        }
        return db;
    }

    /** Exactly ids 1..N after collapsing repeats, each with the values it was written with. */
    private static void assertExactlyTheRows(ClickHouseServer server, String db) {
        String table = db + ".llm_usage_hourly";
        assertThat(scalar(server, "SELECT count() FROM " + table + " FINAL")).isEqualTo(N);
        assertThat(scalar(server, "SELECT uniqExact(usage_id) FROM " + table)).isEqualTo(N);
        long sumIds = (long) N * (N + 1) / 2;
        assertThat(server.query("SELECT sum(input_tokens), sum(output_tokens), min(toUInt64(substring(usage_id, 3))),"
                + " max(toUInt64(substring(usage_id, 3))) FROM " + table + " FINAL FORMAT TabSeparated"))
                .isEqualTo((3 * sumIds) + "\t" + (2 * sumIds) + "\t1\t" + N + "\n");
    }

    private static long scalar(ClickHouseServer server, String sql) {
        return Long.parseLong(server.query(sql + " FORMAT TabSeparated").trim());
    }

    /** The sum over all writers of one of the sink's counters. */
    private static long counter(JobID job, String name) {
        long sum = 0;
        int found = 0;
        for (Map.Entry<String, Metric> m : METRICS.getMetricsByIdentifiers(job).entrySet()) {
            if (m.getKey().contains("." + ClickHouseSinkMetrics.GROUP + ".") && m.getKey().endsWith("." + name)) {
                sum += ((Counter) m.getValue()).getCount();
                found++;
            }
        }
        assertThat(found).as("writers reporting %s", name).isPositive();
        return sum;
    }
}
