package io.tapflow.demo;

import io.tapflow.demo.traffic.DemoServers;
import io.tapflow.demo.traffic.EventClock;
import io.tapflow.demo.traffic.TrafficDriver;
import io.tapflow.demo.traffic.TrafficRecord;
import io.tapflow.localstack.clickhouse.ClickHouseHttp;
import io.tapflow.localstack.prometheus.PrometheusQuery;
import io.tapflow.localstack.stack.LocalStack;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The demo path against a running local stack (its endpoints): live — start the demo servers, capture them with the
 * real collector, drive the traffic — or replay the bundled capture of the same traffic; then wait, bounded, until
 * tapflow's tables show what was sent, and print the sections. {@link DemoMain} is the command line around it;
 * DemoITCase runs it as it is.
 */
public final class DemoRun {

    /**
     * @param traffic  how long the live traffic runs
     * @param maxWait  how long to wait for the tables to show it
     * @param workDir  logs of the servers and the collector
     * @param replay   a capture to replay instead of live capture (its {@code .expected} file next to it), or null
     * @param record   live only: also record the traffic with tcpdump into this capture (and its .expected), or null
     */
    public record Options(Duration traffic, Duration maxWait, Path workDir, Path replay, Path record) {
    }

    /** What the run sent, and whether the tables showed all of it in time. */
    public record Result(TrafficRecord sent, boolean matched, String traceId) {
    }

    private static final Duration PROGRESS = Duration.ofSeconds(5);
    /**
     * How long a recording keeps the clock going after the traffic: the last minute window, the jobs' watermark lag
     * (a replay ends when its capture does; about 45 s were seen) and a margin.
     */
    private static final Duration RECORDED_CLOCK = Duration.ofSeconds(180);

    private final Map<String, String> endpoints;
    private final Options options;
    private final PrintStream out;

    public DemoRun(Map<String, String> endpoints, Options options, PrintStream out) {
        this.endpoints = endpoints;
        this.options = options;
        this.out = out;
    }

    public Result run() throws Exception {
        Files.createDirectories(options.workDir());
        ClickHouseHttp clickhouse = new ClickHouseHttp(endpoints.get("clickhouse"), LocalStack.DATABASE, "default",
                "");
        ResultCheck check = new ResultCheck(clickhouse, new PrometheusQuery(endpoints.get("prometheus")),
                System.currentTimeMillis() * 1000);
        TrafficRecord sent;
        boolean matched;
        if (options.replay() == null) {
            step(1, "starting the demo services: redis-server, postgres, catalog, orders, gateway, llm-server");
            try (DemoServers servers = DemoServers.start(options.workDir().resolve("servers"))) {
                out.println("      ports: " + servers.ports());
                try (PacketRecorder recorder = options.record() == null ? null
                        : PacketRecorder.start(options.record(), servers.ports().values(), options.workDir())) {
                    step(2, "starting the collector (eBPF, only the demo's ports)");
                    TrafficDriver driver = new TrafficDriver(servers.ports());
                    try (CollectorProcess collector = CollectorProcess.live(endpoints.get("kafka"),
                            endpoints.get("schema-registry"), servers.ports().values(),
                            options.workDir().resolve("collector"))) {
                        step(3, "sending demo traffic for " + options.traffic().toSeconds() + " s");
                        driver.run(options.traffic(), PROGRESS, line -> out.println("      " + line));
                        sent = driver.record();
                        long trafficEnd = System.currentTimeMillis();
                        step(4, "waiting for tapflow's tables to show it (at most " + options.maxWait().toSeconds()
                                + " s; a clock keeps event time moving so the last windows close)");
                        try (EventClock clock = new EventClock(servers.port("redis-clock"))) {
                            matched = check.await(sent, options.maxWait(), PROGRESS, out);
                            if (recorder != null) {
                                // a replay moves the capture's minute boundaries: the clock must run past any of
                                // them plus the windows' lateness for every window to close there too
                                long left = RECORDED_CLOCK.toMillis() - (System.currentTimeMillis() - trafficEnd);
                                out.printf("      recording the clock %d s longer%n", Math.max(left, 0) / 1000);
                                Thread.sleep(Math.max(left, 0));
                                sent.save(PacketRecorder.expectedFile(options.record()));
                            }
                        }
                    }
                    out.println("      collector "
                            + CollectorProcess.lastSummary(options.workDir().resolve("collector")));
                }
            }
        } else {
            Path expected = PacketRecorder.expectedFile(options.replay());
            sent = TrafficRecord.load(expected);
            step(1, "replaying " + options.replay() + " through the collector (its first packet moved to now)");
            try (CollectorProcess collector = CollectorProcess.replay(endpoints.get("kafka"),
                    endpoints.get("schema-registry"), options.replay(), replayNames(sent),
                    options.workDir().resolve("collector"))) {
                if (!collector.awaitExit(Duration.ofMinutes(3))) {
                    throw new IllegalStateException("the replay did not finish within 3 min");
                }
                out.println("      collector " + collector.summary());
            }
            step(2, "waiting for tapflow's tables to show it (at most " + options.maxWait().toSeconds() + " s)");
            matched = check.await(sent, options.maxWait(), PROGRESS, out);
        }
        String traceId = new DemoReport(clickhouse, endpoints.get("clickhouse"), out).print(sent, check);
        return new Result(sent, matched, traceId);
    }

    /** The collector's --replay-names: both ends of each recorded server's connections, by its recorded port. */
    private static String replayNames(TrafficRecord sent) {
        StringBuilder names = new StringBuilder();
        sent.ports().forEach((server, port) -> {
            if (DemoServers.ENDS.containsKey(server)) {
                names.append(names.length() == 0 ? "" : ",").append(port).append('=')
                        .append(DemoServers.ENDS.get(server));
            }
        });
        return names.toString();
    }

    private void step(int n, String what) {
        out.printf("[demo %d] %s%n", n, what);
    }
}
