package io.tapflow.protocols.bench;

import com.sun.management.OperatingSystemMXBean;
import io.tapflow.protocols.ProtocolParser;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code ./tapflow bench parsers --cpu}: decoding throughput in bytes per CPU-second of the decoding thread (see
 * {@link KeepAliveCpuRun}), the median of several rounds, so that a figure taken on a loaded, shared machine can be
 * reproduced. With {@code --baseline DIR} the same captures also run through another build of the parsers (DIR:
 * its {@code flink-jobs/protocols/target/classes}) in the same JVM, rounds interleaved, and the per-round ratios
 * are reported: load that comes and goes then hits both alike.
 */
final class CpuBenchmark {

    private static final OperatingSystemMXBean OS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final int warmupRounds;
    private final int rounds;
    private final long roundCpuNs;
    private final boolean readFields;
    private final Path baseline;
    /** The protocol arguments given (see {@link ParserBenchmark#protocol}). */
    final List<String> protocols;

    CpuBenchmark(int warmupRounds, int rounds, double roundSeconds, boolean readFields, Path baseline,
            List<String> protocols) {
        this.warmupRounds = warmupRounds;
        this.rounds = rounds;
        this.roundCpuNs = (long) (roundSeconds * 1e9);
        this.readFields = readFields;
        this.baseline = baseline;
        this.protocols = protocols;
    }

    /**
     * Parses {@code --cpu [--rounds N] [--warmup N] [--round-seconds S] [--read] [--baseline DIR]
     * [PROTOCOL...]}.
     */
    static CpuBenchmark fromArgs(List<String> args) {
        List<String> protocols = new ArrayList<>();
        int warmup = 5;
        int rounds = 11;
        double seconds = 1.0;
        boolean read = false;
        Path baseline = null;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--cpu" -> {
                }
                case "--rounds" -> rounds = Integer.parseInt(args.get(++i));
                case "--warmup" -> warmup = Integer.parseInt(args.get(++i));
                case "--round-seconds" -> seconds = Double.parseDouble(args.get(++i));
                case "--read" -> read = true;
                case "--baseline" -> baseline = Path.of(args.get(++i));
                default -> {
                    if (args.get(i).startsWith("--")) {
                        throw new IllegalArgumentException("unknown option for --cpu: " + args.get(i));
                    }
                    protocols.add(args.get(i));
                }
            }
        }
        if (rounds < 1 || warmup < 0 || seconds <= 0) {
            throw new IllegalArgumentException("--rounds >= 1, --warmup >= 0, --round-seconds > 0");
        }
        if (baseline != null && !Files.isDirectory(baseline.resolve("io/tapflow/protocols"))) {
            throw new IllegalArgumentException("--baseline " + baseline + " holds no io/tapflow/protocols classes"
                    + " (give the target/classes directory of another build of flink-jobs/protocols)");
        }
        return new CpuBenchmark(warmup, rounds, seconds, read, baseline, protocols);
    }

    void run(String protocol) throws MalformedURLException {
        String load = loadAverage();
        Supplier<long[]> current = isolatedRun(parsersOf(ProtocolParser.class), protocol);
        Supplier<long[]> base = baseline == null ? null : isolatedRun(baseline.toUri().toURL(), protocol);
        Supplier<long[]> scan = new DelimiterScanCpuRun(protocol, roundCpuNs);
        for (int i = 0; i < warmupRounds; i++) {
            scan.get();
            current.get();
            if (base != null) {
                base.get();
            }
        }
        double[][] cur = new double[2][rounds];
        double[][] bas = new double[2][rounds];
        double[][] floor = new double[2][rounds];
        double[] ratio = new double[rounds];
        double[] ofFloor = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            round(scan, floor, i);
            // alternate which build goes first, so that neither always follows the other's garbage
            if (base != null && i % 2 == 1) {
                round(base, bas, i);
                round(current, cur, i);
            } else {
                round(current, cur, i);
                if (base != null) {
                    round(base, bas, i);
                }
            }
            ratio[i] = base == null ? Double.NaN : cur[0][i] / bas[0][i];
            ofFloor[i] = cur[0][i] / floor[0][i];
        }
        System.out.printf("%n%s: %d bytes per pass, keep-alive decoders, %s; %d rounds of %.1f s CPU after %d"
                + " warm-up rounds; load average %s -> %s%n", protocol, ParserBenchmark.bytesPerOp(protocol),
                readFields ? "the sink reads every field" : "the sink reads no field", rounds, roundCpuNs / 1e9,
                warmupRounds, load, loadAverage());
        print("this build", cur);
        System.out.printf("  scan floor %.3f GB/s per CPU-second (median; min %.3f, max %.3f): the same bytes"
                + " searched for every '\\n' and ':', 8 bytes per step, and nothing else: what finding a head's"
                + " delimiters alone costs on this machine; this build runs at %.0f%% of it (median per round)%n",
                median(floor[0]), min(floor[0]), max(floor[0]), 100 * median(ofFloor));
        if (base != null) {
            print("baseline", bas);
            System.out.printf("  this/baseline per round: median %.3f (min %.3f, max %.3f)%n", median(ratio),
                    min(ratio), max(ratio));
        }
    }

    /** One round of {@code run}: GB per CPU-second of the decoding thread and of the whole JVM (GC, JIT). */
    private static void round(Supplier<long[]> run, double[][] into, int i) {
        long process = OS.getProcessCpuTime();
        long[] r = run.get();
        process = OS.getProcessCpuTime() - process;
        into[0][i] = r[0] / (double) r[1];
        into[1][i] = r[0] / (double) process;
    }

    private static void print(String what, double[][] gbPerCpuSecond) {
        double[] thread = gbPerCpuSecond[0];
        System.out.printf("  %-10s %.3f GB/s per CPU-second of the decoding thread (median; min %.3f, max %.3f);"
                + " per CPU-second of the JVM: %.3f%n", what, median(thread), min(thread), max(thread),
                median(gbPerCpuSecond[1]));
    }

    /**
     * A {@link KeepAliveCpuRun} of the parsers at {@code parsers} with this build's benchmark and test support
     * classes, in a class loader of its own: each protocol and each build starts with classes no other run has
     * used, so the JIT's profiles of one (call sites that saw other decoders) do not slow another: measured in
     * the application's loader after the http1 runs, this build's redis came out at 0.83 of the baseline's
     * (every round below 1); both isolated, a build against a copy of itself gives medians of 1.02-1.03.
     */
    @SuppressWarnings("unchecked")
    private Supplier<long[]> isolatedRun(URL parsers, String protocol) {
        URL tests = parsersOf(KeepAliveCpuRun.class);
        ClassLoader loader = new ParsersFirstLoader(new URL[] {parsers, tests}, CpuBenchmark.class.getClassLoader());
        try {
            return (Supplier<long[]>) loader.loadClass(KeepAliveCpuRun.class.getName())
                    .getConstructor(String.class, boolean.class, long.class)
                    .newInstance(protocol, readFields, roundCpuNs);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot run the baseline: " + e, e);
        }
    }

    private static URL parsersOf(Class<?> c) {
        return c.getProtectionDomain().getCodeSource().getLocation();
    }

    /** Loads io.tapflow.protocols classes from its own URLs (the baseline, then this build's tests); the rest from the parent. */
    private static final class ParsersFirstLoader extends URLClassLoader {
        ParsersFirstLoader(URL[] urls, ClassLoader parent) {
            super(urls, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("io.tapflow.protocols.")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    c = findClass(name);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }

    /** The 1, 5 and 15 minute load averages ({@code uptime}'s), to say how busy the machine was. */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }
}
