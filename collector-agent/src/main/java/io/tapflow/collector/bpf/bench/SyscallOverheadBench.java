package io.tapflow.collector.bpf.bench;

import io.tapflow.collector.bpf.BpfEventSource;
import io.tapflow.collector.bpf.BpfSettings;
import io.tapflow.collector.bpf.KernelCounter;
import io.tapflow.collector.source.AgentIdentity;
import io.tapflow.collector.source.CaptureFilter;
import io.tapflow.collector.source.RawEventSink;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the probes cost the traced application: a child process writes {@code --writes} × {@code --bytes} bytes
 * over loopback TCP without the probes, with the probes attached but returning at once (the FLOOR: what the
 * kernel's tracepoint dispatch costs before any of our work), with them capturing every call, and with the port
 * denied by the filter; prints ns added per write, events drained per second and kernel drops, and what the
 * probes add to a syscall they do not capture (lseek, {@link SeekLoop}). Needs root.
 *
 * <p>The number to compare is the writing thread's own CPU time per write (user + system, from the child JVM):
 * wall time also counts the time the thread spends descheduled, which on two shared vCPUs moved by microseconds
 * per write between rounds. With {@code sysctl kernel.bpf_stats_enabled=1} it also prints each program's
 * in-kernel ns per run (needs bpftool); the stats add two clock reads per run themselves. {@code --rounds R}
 * repeats the four phases R times, interleaved so load drifts hit all of them alike, and ends with the min and
 * median of each number (differences are taken within a round, then summarised).
 * Usage: {@code SyscallOverheadBench [--writes N] [--bytes B] [--payload P] [--rounds R]}.
 */
public final class SyscallOverheadBench {

    private static final Pattern RESULT =
            Pattern.compile("ns_per_\\w+=([0-9.E]+) cpu_ns_per_\\w+=([0-9.E]+)"
                    + "(?: reads=\\d+ cpu_ns_per_read=([0-9.E]+))?");

    private SyscallOverheadBench() {}

    /** One run of a loop: wall and CPU ns per call; for the write loop also the reader thread's CPU ns per read. */
    record Timing(double wallNs, double cpuNs, double readCpuNs) {}

    public static void main(String[] args) throws Exception {
        int writes = intArg(args, "--writes", 1_000_000);
        int bytes = intArg(args, "--bytes", 64);
        int payload = intArg(args, "--payload", 64);
        int rounds = intArg(args, "--rounds", 1);

        Map<String, List<Double>> summary = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            System.out.printf("--- round %d of %d (load average %s)%n", round, rounds, loadAverage());
            runRound(writes, bytes, payload, summary);
        }
        System.out.printf("=== %d round(s), %d writes of %d B each: min / median%n", rounds, writes, bytes);
        summary.forEach((name, values) -> {
            List<Double> sorted = values.stream().sorted().toList();
            System.out.printf("  %-56s %8.0f / %8.0f%n", name, sorted.get(0), sorted.get(sorted.size() / 2));
        });
    }

    private static void runRound(int writes, int bytes, int payload, Map<String, List<Double>> summary)
            throws Exception {
        Timing baseline = runWrites(freePort(), writes, bytes);
        Timing seekBaseline = runSeeks(writes);
        System.out.printf("without probes:          %s; lseek cpu %.0f ns/call%n", describe(baseline, null),
                seekBaseline.cpuNs);
        add(summary, "cpu: ns per write without probes", baseline.cpuNs);
        add(summary, "cpu: ns per lseek without probes", seekBaseline.cpuNs);

        AgentIdentity identity = new AgentIdentity("bench", "localhost");
        CaptureFilter all = new CaptureFilter(Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), payload, 1);
        boolean stats = BpfProgramStats.enabled();
        Set<Integer> foreign = stats ? BpfProgramStats.idsNow() : Set.of();

        Timing floor;
        BpfSettings dispatchOnly = BpfSettings.defaults().withDispatchOnly(true);
        BpfEventSource floorSource = BpfEventSource.open(identity, all, dispatchOnly);
        try {
            Map<String, BpfProgramStats.Counters> before = stats ? BpfProgramStats.snapshot(foreign) : Map.of();
            floor = runWrites(freePort(), writes, bytes);
            Map<String, BpfProgramStats.Counters> after = stats ? BpfProgramStats.snapshot(foreign) : Map.of();
            Timing seeks = runSeeks(writes);
            System.out.printf("floor (programs return): %s; lseek cpu +%.0f ns/call%n", describe(floor, baseline),
                    seeks.cpuNs - seekBaseline.cpuNs);
            add(summary, "cpu: ns added per lseek (not captured), floor", seeks.cpuNs - seekBaseline.cpuNs);
            if (stats) {
                BpfProgramStats.print("floor", before, after, summary);
            }
        } finally {
            floorSource.close();
        }
        add(summary, "cpu: ns added by tracepoint dispatch (floor)", floor.cpuNs - baseline.cpuNs);
        add(summary, "cpu: ns added per read by tracepoint dispatch (floor)", floor.readCpuNs - baseline.readCpuNs);

        foreign = stats ? BpfProgramStats.idsNow() : Set.of();
        try (BpfEventSource source = BpfEventSource.open(identity, all, BpfSettings.defaults())) {
            Drainer drainer = new Drainer(source);
            Thread thread = new Thread(drainer, "drain");
            thread.start();
            Map<String, BpfProgramStats.Counters> before = stats ? BpfProgramStats.snapshot(foreign) : Map.of();
            long start = System.nanoTime();
            Timing captured = runWrites(freePort(), writes, bytes);
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, BpfProgramStats.Counters> after = stats ? BpfProgramStats.snapshot(foreign) : Map.of();
            drainer.stop(thread);
            Map<KernelCounter, Long> counters = source.kernelCounters();
            System.out.printf("captured (payload %d B):  %s, %.0f above the floor%n",
                    payload, describe(captured, baseline), captured.cpuNs - floor.cpuNs);
            System.out.printf("events drained:          %8d in %.1f s = %.0f events/s (decoded to Avro records)%n",
                    drainer.events.get(), seconds, drainer.events.get() / seconds);
            System.out.printf("polling thread:          %.2f CPU s = %.0f events per CPU-second (ring buffer to Avro"
                    + " records; the publishing path is part 2)%n", drainer.cpuNs / 1e9,
                    drainer.events.get() / (drainer.cpuNs / 1e9));
            System.out.printf("kernel: events %d, drops (ring buffer full) %d, payload faults %d%n",
                    counters.get(KernelCounter.EVENTS), counters.get(KernelCounter.DROP_RINGBUF_FULL),
                    counters.get(KernelCounter.PAYLOAD_FAULT));
            add(summary, "cpu: ns added per captured write", captured.cpuNs - baseline.cpuNs);
            add(summary, "cpu: ns per captured write above the floor", captured.cpuNs - floor.cpuNs);
            add(summary, "cpu: ns added per captured read", captured.readCpuNs - baseline.readCpuNs);
            add(summary, "wall: ns added per captured write", captured.wallNs - baseline.wallNs);
            if (stats) {
                BpfProgramStats.print("captured", before, after, summary);
            }
            Timing seeks = runSeeks(writes);
            System.out.printf("lseek (not captured):    cpu +%.0f ns/call%n", seeks.cpuNs - seekBaseline.cpuNs);
            add(summary, "cpu: ns added per lseek (not captured), probes on", seeks.cpuNs - seekBaseline.cpuNs);

            int port = freePort();
            source.updateFilter(all.withDenyPorts(Set.of(port)));
            before = stats ? BpfProgramStats.snapshot(foreign) : Map.of();
            Timing filtered = runWrites(port, writes, bytes);
            after = stats ? BpfProgramStats.snapshot(foreign) : Map.of();
            System.out.printf("port denied by filter:   %s%n", describe(filtered, baseline));
            add(summary, "cpu: ns added per port-denied write", filtered.cpuNs - baseline.cpuNs);
            if (stats) {
                BpfProgramStats.print("port denied", before, after, summary);
            }
        }
    }

    private static String describe(Timing timing, Timing baseline) {
        String text = String.format("cpu %6.0f ns/write, wall %6.0f ns/write, reader cpu %6.0f ns/read",
                timing.cpuNs, timing.wallNs, timing.readCpuNs);
        return baseline == null ? text : text + String.format("  (cpu +%.0f ns/write, +%.0f ns/read)",
                timing.cpuNs - baseline.cpuNs, timing.readCpuNs - baseline.readCpuNs);
    }

    private static void add(Map<String, List<Double>> summary, String name, double value) {
        summary.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Polls on its own thread like the agent does, counting decoded events. */
    private static final class Drainer implements Runnable, RawEventSink {
        private final BpfEventSource source;
        private final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong events = new AtomicLong();
        /** CPU time of the polling thread: the agent's per-event cost before the publisher. */
        volatile long cpuNs;

        Drainer(BpfEventSource source) {
            this.source = source;
        }

        @Override
        public void run() {
            long cpu0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            try {
                while (running.get()) {
                    source.poll(this, Duration.ofMillis(100));
                }
                source.poll(this, Duration.ofMillis(100)); // what the batching still held
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } finally {
                cpuNs = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu0;
            }
        }

        void stop(Thread thread) throws InterruptedException {
            running.set(false);
            thread.join();
        }

        @Override
        public void onSocketData(SocketDataEvent event) {
            events.incrementAndGet();
        }

        @Override
        public void onTcpEvent(TcpEvent event) {
            events.incrementAndGet();
        }
    }

    private static Timing runWrites(int port, int writes, int bytes) throws IOException, InterruptedException {
        return runChild(WriteLoop.class, Integer.toString(port), Integer.toString(writes), Integer.toString(bytes));
    }

    private static Timing runSeeks(int calls) throws IOException, InterruptedException {
        return runChild(SeekLoop.class, Integer.toString(calls));
    }

    private static Timing runChild(Class<?> main, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Matcher m = RESULT.matcher(out);
        if (process.waitFor() != 0 || !m.find()) {
            throw new IllegalStateException(main.getSimpleName() + " failed: " + out);
        }
        return new Timing(Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
                m.group(3) == null ? Double.NaN : Double.parseDouble(m.group(3)));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static int intArg(String[] args, String name, int fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }
}
