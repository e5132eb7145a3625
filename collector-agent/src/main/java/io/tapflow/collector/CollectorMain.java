package io.tapflow.collector;

import io.tapflow.collector.bpf.BpfEventSource;
import io.tapflow.collector.bpf.BpfSettings;
import io.tapflow.collector.config.CollectorConfig;
import io.tapflow.collector.config.CollectorOption;
import io.tapflow.collector.config.ConfigException;
import io.tapflow.collector.config.FilterReloader;
import io.tapflow.collector.metrics.CollectorMetrics;
import io.tapflow.collector.metrics.MetricsServer;
import io.tapflow.collector.pcap.PcapReplaySource;
import io.tapflow.collector.pcap.ReplayCounter;
import io.tapflow.collector.pcap.ReplayNames;
import io.tapflow.collector.pcap.ReplayOptions;
import io.tapflow.collector.proc.ProcReader;
import io.tapflow.collector.proc.ProcessEnricher;
import io.tapflow.collector.publish.KafkaEventPublisher;
import io.tapflow.collector.publish.PublishStats;
import io.tapflow.collector.publish.PublisherSettings;
import io.tapflow.collector.source.AgentIdentity;
import io.tapflow.collector.source.CaptureFilter;
import io.tapflow.collector.source.RawEventSource;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector process: reads its settings, opens the source (eBPF capture, or a pcap/pcapng replay), and runs the
 * polling loop that feeds the publisher — with a status line every few seconds, capture-filter reloads from the
 * config file, and a clean shutdown on SIGTERM/Ctrl-C or at the end of a replay (flush with a deadline, then a
 * summary). Exit codes: see {@link CollectorConfig#helpText()}.
 */
public final class CollectorMain {

    private static final Logger LOG = LoggerFactory.getLogger(CollectorMain.class);

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_CONFIG = 2;

    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
    private static final long PROCESS_SWEEP_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final PrintStream out;
    private final PrintStream err;
    private volatile boolean stopRequested;
    private final CountDownLatch finished = new CountDownLatch(1);

    CollectorMain(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        CollectorMain main = new CollectorMain(System.out, System.err);
        Thread hook = new Thread(main::requestStopAndWait, "tapflow-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        int code = main.run(args);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // SIGTERM/Ctrl-C: the hook waited for the flush above; System.exit now would block forever
            return;
        }
        System.exit(code);
    }

    /** Runs the collector until the source ends or a stop is requested; returns the exit code. */
    int run(String[] args) {
        try {
            return runChecked(args);
        } catch (ConfigException e) {
            err.println("tapflow collector: " + e.getMessage());
            return EXIT_CONFIG;
        } catch (IOException | RuntimeException e) {
            err.println("tapflow collector: " + e);
            LOG.error("collector failed", e);
            return EXIT_FAILURE;
        } finally {
            finished.countDown();
        }
    }

    private int runChecked(String[] args) throws ConfigException, IOException {
        CollectorConfig config = CollectorConfig.parse(args);
        if (config.help()) {
            out.print(CollectorConfig.helpText());
            return EXIT_OK;
        }
        boolean replay = config.isSet(CollectorOption.REPLAY) || config.string(CollectorOption.SOURCE).equals("replay");
        AgentIdentity identity = identity(config);
        CaptureFilter filter = config.captureFilter();
        if (!replay) {
            Optional<Preflight.Failure> failure = new Preflight(
                    Path.of(config.string(CollectorOption.PREFLIGHT_STATUS_FILE)),
                    Path.of(config.string(CollectorOption.BTF_PATH)),
                    Path.of(config.string(CollectorOption.TRACEFS_PATH))).check();
            if (failure.isPresent()) {
                err.println("tapflow collector: " + failure.get().reason());
                return failure.get().exitCode();
            }
            BpfEventSource source = BpfEventSource.open(identity, filter, BpfSettings.defaults());
            Supplier<Map<String, Long>> kernelCounters = () -> {
                Map<String, Long> counters = new LinkedHashMap<>();
                try {
                    source.kernelCounters().forEach((counter, value) ->
                            counters.put("kernel_" + counter.name().toLowerCase(Locale.ROOT), value));
                } catch (IOException e) {
                    LOG.warn("reading the kernel counters failed: {}", e.toString());
                }
                return counters;
            };
            return runSource(config, identity, source, filter, kernelCounters,
                    () -> "eBPF capture: " + kernelCounters.get());
        }
        Path file = Path.of(config.string(CollectorOption.REPLAY));
        ReplayOptions replayOptions = ReplayOptions.defaults()
                .withSpeed(config.decimal(CollectorOption.REPLAY_SPEED, 0))
                .withLoops(config.integer(CollectorOption.REPLAY_LOOPS, 1, Integer.MAX_VALUE))
                .withMaxEventBytes(config.integer(CollectorOption.REPLAY_MAX_EVENT_BYTES, 1, 1 << 30))
                .withShiftToNow(config.bool(CollectorOption.REPLAY_SHIFT_TO_NOW))
                .withComm(config.string(CollectorOption.REPLAY_COMM));
        try {
            replayOptions = replayOptions.withNames(ReplayNames.parse(config.string(CollectorOption.REPLAY_NAMES)));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("replay-names: " + e.getMessage());
        }
        PcapReplaySource source;
        try {
            source = PcapReplaySource.open(file, identity, filter, replayOptions);
        } catch (IOException e) {
            throw new ConfigException("replay: " + e.getMessage());
        }
        Supplier<Map<String, Long>> sourceCounters = () -> {
            Map<String, Long> counters = new LinkedHashMap<>();
            source.counters().snapshot().forEach((counter, value) -> counters.put(counter.metricName(), value));
            return counters;
        };
        return runSource(config, identity, source, filter, sourceCounters, () -> "replay of " + file + ": "
                + source.counters().get(ReplayCounter.PACKETS) + " packets, " + source.counters());
    }

    /** The polling loop around any source; closes it. */
    int runSource(CollectorConfig config, AgentIdentity identity, RawEventSource source, CaptureFilter filter,
                  Supplier<Map<String, Long>> sourceCounters, Supplier<String> sourceSummary)
            throws ConfigException, IOException {
        PublisherSettings settings = new PublisherSettings(
                config.string(CollectorOption.KAFKA_BOOTSTRAP),
                config.string(CollectorOption.SCHEMA_REGISTRY_URL),
                config.integer(CollectorOption.QUEUE_CAPACITY, 1, 10_000_000),
                config.number(CollectorOption.QUEUE_BYTES, 1024, Long.MAX_VALUE),
                config.number(CollectorOption.KAFKA_BUFFER_BYTES, 1024, Long.MAX_VALUE),
                Duration.ofMillis(config.number(CollectorOption.KAFKA_MAX_BLOCK_MS, 0, 600_000)),
                Duration.ofMillis(config.number(CollectorOption.KAFKA_DELIVERY_TIMEOUT_MS, 1, Integer.MAX_VALUE)),
                PublisherSettings.DEFAULT_MAX_RECORD_BYTES,
                Duration.ofMillis(config.number(CollectorOption.KAFKA_OUTAGE_AFTER_MS, 1, Integer.MAX_VALUE)),
                config.kafkaProperties());
        Duration shutdownDeadline = Duration.ofSeconds(config.number(CollectorOption.SHUTDOWN_TIMEOUT_S, 0, 3600));
        long statusNanos = TimeUnit.SECONDS.toNanos(config.number(CollectorOption.STATUS_INTERVAL_S, 0, 86_400));
        FilterReloader reloader = new FilterReloader(config, filter,
                config.number(CollectorOption.CONFIG_POLL_MS, 100, 3_600_000));
        ProcessEnricher enricher = config.bool(CollectorOption.ENRICH)
                ? new ProcessEnricher(new ProcReader(Path.of(config.string(CollectorOption.PROC_ROOT))),
                        identity.agentId(), identity.host(), 16_384, TimeUnit.SECONDS.toNanos(1))
                : null;
        KafkaEventPublisher publisher = new KafkaEventPublisher(settings, identity.agentId());
        CollectorMetrics metrics = new CollectorMetrics(publisher, source, sourceCounters);
        MetricsServer metricsServer = null;
        int port = config.integer(CollectorOption.METRICS_PORT, -1, 65535);
        try (source) {
            if (port >= 0) {
                metricsServer = MetricsServer.start(
                        new InetSocketAddress(config.string(CollectorOption.METRICS_BIND), port), List.of(metrics));
                // one parseable line for scripts and tests that start us on port 0
                out.println("metrics: http://" + config.string(CollectorOption.METRICS_BIND) + ":"
                        + metricsServer.port() + "/metrics");
            }
            AgentPipeline pipeline = new AgentPipeline(publisher, enricher, metrics);
            LOG.info("collector {} on {} running: kafka {}, registry {}", identity.agentId(), identity.host(),
                    settings.bootstrapServers(), settings.schemaRegistryUrl());
            long start = System.nanoTime();
            long lastStatus = start;
            long lastSweep = start;
            long offeredAtLastStatus = 0;
            boolean endOfInput = false;
            while (!stopRequested) {
                int delivered = source.poll(pipeline, POLL_TIMEOUT);
                if (delivered == RawEventSource.END_OF_INPUT) {
                    endOfInput = true;
                    break;
                }
                Optional<CaptureFilter> changed = reloader.poll();
                if (changed.isPresent()) {
                    source.updateFilter(changed.get());
                }
                long now = System.nanoTime();
                if (now - lastSweep > PROCESS_SWEEP_NANOS) {
                    pipeline.sweepProcesses();
                    lastSweep = now;
                }
                if (statusNanos > 0 && now - lastStatus >= statusNanos) {
                    PublishStats stats = publisher.stats();
                    double seconds = (now - lastStatus) / 1e9;
                    out.println(statusLine(publisher, source, (stats.offered() - offeredAtLastStatus) / seconds));
                    offeredAtLastStatus = stats.offered();
                    lastStatus = now;
                }
            }
            pipeline.sweepProcesses();
            LOG.info("{}: flushing to Kafka (deadline {} s)", endOfInput ? "end of input" : "stop requested",
                    shutdownDeadline.toSeconds());
            publisher.close(shutdownDeadline);
            double seconds = (System.nanoTime() - start) / 1e9;
            out.println(String.format("summary: %.1f s, %s; source drops %d; %s", seconds, publisher.stats(),
                    source.sourceDrops(), sourceSummary.get()));
            return EXIT_OK;
        } finally {
            publisher.close(Duration.ZERO);
            if (metricsServer != null) {
                metricsServer.close();
            }
        }
    }

    static String statusLine(KafkaEventPublisher publisher, RawEventSource source, double eventsPerSecond) {
        PublishStats stats = publisher.stats();
        return String.format("status: %.0f events/s, published %d, dropped %d%s, queue %d/%d, kafka %s,"
                        + " buffered %d bytes, source drops %d", eventsPerSecond, stats.published(),
                stats.droppedTotal(), dropDetail(stats), stats.queued(), publisher.queueCapacity(),
                publisher.kafkaOutage() ? "DOWN" : "up", publisher.bufferedBytes(), source.sourceDrops());
    }

    private static String dropDetail(PublishStats stats) {
        StringBuilder text = new StringBuilder();
        stats.droppedByReason().forEach((reason, count) -> {
            if (count > 0) {
                text.append(text.length() == 0 ? " (" : ", ").append(reason.label()).append(' ').append(count);
            }
        });
        return text.length() == 0 ? "" : text.append(')').toString();
    }

    /** Asks the loop to stop and waits for it to flush (the shutdown hook; SIGTERM and Ctrl-C land here). */
    void requestStopAndWait() {
        stopRequested = true;
        try {
            finished.await(5, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static AgentIdentity identity(CollectorConfig config) {
        String host = config.isSet(CollectorOption.HOST) ? config.string(CollectorOption.HOST) : hostName();
        String agentId = config.isSet(CollectorOption.AGENT_ID) ? config.string(CollectorOption.AGENT_ID)
                : machineId().orElse(host);
        return new AgentIdentity(agentId, host);
    }

    private static Optional<String> machineId() {
        try {
            String id = Files.readString(Path.of("/etc/machine-id")).strip();
            return id.isEmpty() ? Optional.empty() : Optional.of(id);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "localhost" : env;
        }
    }
}
