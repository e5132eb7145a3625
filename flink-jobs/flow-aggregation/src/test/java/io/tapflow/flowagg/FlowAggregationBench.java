package io.tapflow.flowagg;

import io.tapflow.collector.pcap.ReplayOptions;
import io.tapflow.flowagg.config.FlowAggregationOptions;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.util.MiniClusterWithClientResource;

/**
 * {@code ./tapflow bench flow}: the whole flow-aggregation job at parallelism 1 (one core's worth of operators) on
 * a MiniCluster between a local Kafka broker and ClickHouse, fed with real traffic (the protocol goldens replayed
 * by the collector's pcap source, each pass with its own agent id and live-looking timestamps).
 *
 * <ol>
 *   <li>Throughput: N raw events published first, then the job reads them; raw events/s through the reassembler
 *       between 10 % and 90 % of the input (the job's own counters over REST, so start-up is not counted), per
 *       second of wall time and per CPU second of the job's threads ({@link JobThreads}): the reassembler's task
 *       thread alone understates a core's worth, the asynchronous checkpoints of its state cost as much again.</li>
 *   <li>Latency: with the job running, a batch of traffic stamped "now" is published every 100 ms; a batch's
 *       latency is from its last request's end (the syscall timestamp) until all its request logs are visible in
 *       ClickHouse, polled every 50 ms. p50/p99 over the batches.</li>
 * </ol>
 * Numbers are reported, never asserted: targets are >= 150k raw events/s per core and p99 <= 3 s.
 */
public final class FlowAggregationBench {

    private FlowAggregationBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = options(args);
        long events = Long.parseLong(opts.getOrDefault("events", "500000"));
        int latencySeconds = Integer.parseInt(opts.getOrDefault("latency-seconds", "30"));

        MiniClusterWithClientResource flink = startCluster();
        try (JobFixture fixture = JobFixture.start("flowagg_bench")) {
            System.out.printf("bench flow 1/2: publishing %,d raw events of real traffic%n", events);
            long published = 0;
            long requests = 0;
            long start = System.nanoTime();
            for (int pass = 0; published < events; pass++) {
                GoldenTraffic.Traffic traffic = GoldenTraffic.goldens("tp" + pass,
                        ReplayOptions.defaults().withShiftToNow(true));
                fixture.publish(traffic.events());
                published += traffic.events().size();
                requests += traffic.requestCount();
            }
            double publishSeconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("  published %,d events (%,d requests) in %.1f s%n", published, requests,
                    publishSeconds);

            // the production checkpoint interval: state copies and commits as often as a deployment makes them
            FlowAggregationOptions options = fixture.options(Map.of("parallelism", "1", "checkpoint.interval", "10s"));
            StreamExecutionEnvironment env = flink.getTestStreamEnvironment();
            FlowAggregationJob.configure(env, options);
            env.setParallelism(1);
            FlowAggregationJob.build(env, options, new FlowAggregationJob.KafkaClickHouseIo(options));
            JobClient job = env.executeAsync("flow-aggregation-bench");
            JobMetrics metrics = new JobMetrics(flink.getMiniCluster(), job.getJobID());
            double rate = throughput(metrics, published);
            System.out.printf("  throughput: %,.0f raw events/s of wall time through the reassembler at parallelism 1"
                    + " (target >= 150,000 per core; load average now %.1f on %d cores)%n", rate,
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                    Runtime.getRuntime().availableProcessors());

            // the latency phase starts on an idle job: the throughput input drained and its rows flushed
            long input = published;
            JobFixture.await("the whole throughput input through the reassembler", Duration.ofMinutes(5),
                    () -> events(metrics) >= input);
            Thread.sleep(3_000);
            // every golden starts at the same instant: a batch spans milliseconds, not the days between recordings
            GoldenTraffic.Traffic template = GoldenTraffic.goldens("lat",
                    ReplayOptions.defaults().withShiftToNow(true));
            settle(fixture, metrics, template);
            System.out.printf("bench flow 2/2: end-to-end latency, a batch every 100 ms for %d s%n", latencySeconds);
            List<Long> latenciesMs = latency(fixture, template, latencySeconds);
            latenciesMs.sort(null);
            System.out.printf("  %d batches (%d events, %d request logs each): syscall -> visible in ClickHouse"
                            + " p50 %d ms, p99 %d ms, max %d ms (target p99 <= 3000 ms)%n", latenciesMs.size(),
                    template.events().size(), 2 * template.requestCount(), percentile(latenciesMs, 0.50),
                    percentile(latenciesMs, 0.99), latenciesMs.get(latenciesMs.size() - 1));
            job.cancel().get(60, TimeUnit.SECONDS);
        } finally {
            flink.after();
        }
        System.exit(0);
    }

    /** One TaskManager with one slot (parallelism 1: one core's worth of operators), started. */
    static MiniClusterWithClientResource startCluster() throws Exception {
        Configuration conf = new Configuration();
        // the REST metric view refreshes every 10 s by default: too coarse to time a few seconds of input
        conf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(100));
        MiniClusterWithClientResource flink = new MiniClusterWithClientResource(
                new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1)
                        .setConfiguration(conf).build());
        flink.before();
        return flink;
    }

    /**
     * Raw events/s between 10 % and 90 % of {@code total} counted by the reassembler: per second of wall time, and
     * per CPU second — of the reassembler's task thread alone, and of every thread working for the job (what one
     * core sustains, whatever else the machine runs).
     */
    static double throughput(JobMetrics metrics, long total) throws Exception {
        long t10 = 0;
        long c10 = 0;
        Map<Long, Long> cpu10 = Map.of();
        boolean reported = false;
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (System.nanoTime() < deadline) {
            long count = events(metrics);
            long now = System.nanoTime();
            if (t10 == 0 && count >= total / 10) {
                t10 = now;
                c10 = count;
                cpu10 = JobThreads.cpuNs();
            }
            if (!reported && count >= total / 2) {
                reported = true;
                // where the time goes at half way: the busiest and the back-pressured stages
                Map<String, Double> busy = metrics.perVertex("busyTimeMsPerSecond");
                Map<String, Double> pressured = metrics.perVertex("backPressuredTimeMsPerSecond");
                for (Map.Entry<String, Double> e : busy.entrySet()) {
                    System.out.printf("  busy %4.0f ms/s, back-pressured %4.0f ms/s: %s%n", e.getValue(),
                            pressured.getOrDefault(e.getKey(), 0.0), e.getKey().length() > 100
                                    ? e.getKey().substring(0, 100) + "..." : e.getKey());
                }
            }
            if (count >= total * 9 / 10) {
                JobThreads.Usage usage = JobThreads.since(cpu10);
                long events = count - c10;
                System.out.printf("  %,d of %,d events through the reassembler; per CPU second: %,.0f raw events of"
                        + " the reassembler's task thread, %,.0f of all the job's threads (what one core"
                        + " sustains)%n", count, total, events / (usage.reassemblerNs() / 1e9),
                        events / (usage.jobNs() / 1e9));
                // every open flow is copied into each checkpoint: the async checkpoint CPU grows with them
                System.out.printf("  flows open in the reassembler's state: %,d%n",
                        metrics.sum("reassembly.flowsOpened") - metrics.sum("reassembly.flowsClosed"));
                System.out.printf("  job CPU by thread group (s): %s%s%n", usage.describe(),
                        usage.vanished() == 0 ? "" : "; " + usage.vanished() + " job threads ended in between"
                                + " (their CPU is not counted)");
                return events / ((now - t10) / 1e9);
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the job did not read 90 % of the input within 10 minutes");
    }

    /**
     * Moves the event-time clock to now and waits until what that makes due is done: the throughput input's flows
     * were all opened within a minute and sit idle, so their flow-log timers come due together (a burst no steady
     * stream has). The latency phase measures an idle job, so it starts after the burst; its length is printed.
     */
    private static void settle(JobFixture fixture, JobMetrics metrics, GoldenTraffic.Traffic template)
            throws Exception {
        long before = metrics.sum("reassembly.flowLogs");
        long start = System.nanoTime();
        long now = System.currentTimeMillis() * 1_000_000L;
        fixture.publish(relabel(template.shiftedBy(Duration.ofNanos(now - GoldenTraffic.timestampNs(
                template.events().get(0)))).events(), "warm"));
        long last = -1;
        int unchanged = 0;
        while (unchanged < 6 && System.nanoTime() - start < Duration.ofMinutes(5).toNanos()) {
            Thread.sleep(500);
            long logs = metrics.sum("reassembly.flowLogs");
            unchanged = logs == last ? unchanged + 1 : 0;
            last = logs;
        }
        System.out.printf("  clock moved to now: %,d flow logs came due at once (the open flows' interval), emitted"
                + " in %.1f s before the latency phase%n", last - before, (System.nanoTime() - start) / 1e9 - 3);
    }

    private static long events(JobMetrics metrics) {
        try {
            return metrics.sum("reassembly.dataEvents") + metrics.sum("reassembly.tcpEvents");
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the job's metrics", e);
        }
    }

    private static List<Long> latency(JobFixture fixture, GoldenTraffic.Traffic template, int seconds)
            throws Exception {
        long expectedPerBatch = 2 * template.requestCount();
        // replayed events carry no duration: a call's timestamp is when its bytes moved
        long lastEndNs = template.events().stream().filter(e -> e instanceof SocketDataEvent)
                .mapToLong(GoldenTraffic::timestampNs).max().orElseThrow();
        long firstNs = GoldenTraffic.timestampNs(template.events().get(0));
        Map<Integer, Long> lastRequestEndMs = new HashMap<>();
        Map<Integer, Long> visibleMs = new HashMap<>();
        long stopPublishing = System.currentTimeMillis() + seconds * 1000L;
        long nextBatch = System.currentTimeMillis();
        int batches = 0;
        String table = fixture.table("l7_request_log");
        while (System.currentTimeMillis() < stopPublishing + 15_000) {
            long now = System.currentTimeMillis();
            if (now >= nextBatch && now < stopPublishing) {
                long shiftNs = now * 1_000_000L - firstNs;
                fixture.publish(relabel(template.shiftedBy(Duration.ofNanos(shiftNs)).events(), batches));
                lastRequestEndMs.put(batches, (lastEndNs + shiftNs) / 1_000_000L);
                batches++;
                nextBatch += 100;
            }
            for (String line : fixture.lines("SELECT toUInt32(splitByChar('.', agent_id)[2]) AS b, uniqExact(log_id)"
                    + " FROM " + table + " WHERE agent_id LIKE 'b.%' GROUP BY b")) {
                String[] f = line.split("\t");
                int batch = Integer.parseInt(f[0]);
                if (Long.parseLong(f[1]) >= expectedPerBatch) {
                    visibleMs.putIfAbsent(batch, System.currentTimeMillis());
                }
            }
            if (now >= stopPublishing && visibleMs.size() == batches) {
                break;
            }
            Thread.sleep(50);
        }
        List<Long> latencies = new ArrayList<>();
        for (Map.Entry<Integer, Long> e : visibleMs.entrySet()) {
            latencies.add(e.getValue() - lastRequestEndMs.get(e.getKey()));
        }
        if (latencies.size() < batches) {
            System.out.printf("  %d of %d batches never became complete in ClickHouse%n", batches - latencies.size(),
                    batches);
        }
        return latencies;
    }

    /** The batch's events under agents "b.<batch>.<original agent>": distinct flows for every batch. */
    private static List<SpecificRecordBase> relabel(List<SpecificRecordBase> events, int batch) {
        return relabel(events, "b." + batch);
    }

    /** The events under agents "<label>.<original agent>". */
    private static List<SpecificRecordBase> relabel(List<SpecificRecordBase> events, String label) {
        List<SpecificRecordBase> out = new ArrayList<>(events.size());
        for (SpecificRecordBase e : events) {
            if (e instanceof SocketDataEvent d) {
                out.add(SocketDataEvent.newBuilder(d).setAgentId(label + "." + d.getAgentId()).build());
            } else {
                TcpEvent t = (TcpEvent) e;
                out.add(TcpEvent.newBuilder(t).setAgentId(label + "." + t.getAgentId()).build());
            }
        }
        return out;
    }

    private static long percentile(List<Long> sorted, double q) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: FlowAggregationBench [--events N] [--latency-seconds S]");
            }
            out.put(args[i].substring(2), args[++i]);
        }
        return out;
    }
}
