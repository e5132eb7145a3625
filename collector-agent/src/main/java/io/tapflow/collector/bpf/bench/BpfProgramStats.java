package io.tapflow.collector.bpf.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * In-kernel time per program from the kernel's own BPF statistics ({@code kernel.bpf_stats_enabled=1}), read with
 * {@code bpftool prog show}: run_time_ns / run_cnt is the program's cost per run, far less sensitive to a loaded
 * machine than the wall time of the traced loop. Only the programs loaded by this bench are counted (ids that
 * appeared after {@link #idsNow()} was taken), since other collectors on the host use the same program names.
 */
final class BpfProgramStats {

    private static final Path ENABLED = Path.of("/proc/sys/kernel/bpf_stats_enabled");
    private static final Pattern PROGRAM = Pattern.compile(
            "^(\\d+): \\S+\\s+name (handle_\\S+)\\s.*?(?:run_time_ns (\\d+) run_cnt (\\d+))?$", Pattern.MULTILINE);

    /** One program's counters: cumulative run count and run time. */
    record Counters(long runs, long nanos) {}

    private BpfProgramStats() {}

    static boolean enabled() {
        try {
            return Files.readString(ENABLED).trim().equals("1");
        } catch (IOException e) {
            return false;
        }
    }

    /** Program ids loaded now (taken before the probes are loaded, to tell ours apart). */
    static Set<Integer> idsNow() throws IOException, InterruptedException {
        return snapshotById().keySet();
    }

    /** Counters by program name, summed over the programs that are not in {@code foreign}. */
    static Map<String, Counters> snapshot(Set<Integer> foreign) throws IOException, InterruptedException {
        Map<String, Counters> byName = new TreeMap<>();
        for (Map.Entry<Integer, Map.Entry<String, Counters>> e : snapshotById().entrySet()) {
            if (!foreign.contains(e.getKey())) {
                byName.merge(e.getValue().getKey(), e.getValue().getValue(),
                        (a, b) -> new Counters(a.runs + b.runs, a.nanos + b.nanos));
            }
        }
        return byName;
    }

    /**
     * Prints runs and ns/run per program between two snapshots, busiest first, leaving out programs that did not
     * run; adds the ns/run of programs that ran at least 1000 times to {@code summary}.
     */
    static void print(String phase, Map<String, Counters> before, Map<String, Counters> after,
            Map<String, List<Double>> summary) {
        System.out.printf("  bpf_stats (%s):%n", phase);
        after.entrySet().stream()
                .map(e -> {
                    Counters b = before.getOrDefault(e.getKey(), new Counters(0, 0));
                    return Map.entry(e.getKey(),
                            new Counters(e.getValue().runs - b.runs, e.getValue().nanos - b.nanos));
                })
                .filter(e -> e.getValue().runs > 0)
                .sorted((x, y) -> Long.compare(y.getValue().runs, x.getValue().runs))
                .forEach(e -> {
                    double perRun = (double) e.getValue().nanos / e.getValue().runs;
                    System.out.printf("    %-28s %10d runs %7.0f ns/run%n", e.getKey(), e.getValue().runs, perRun);
                    if (e.getValue().runs >= 1000) {
                        summary.computeIfAbsent("bpf_stats " + phase + ": " + e.getKey() + " ns/run",
                                k -> new ArrayList<>()).add(perRun);
                    }
                });
    }

    private static Map<Integer, Map.Entry<String, Counters>> snapshotById() throws IOException, InterruptedException {
        Process process = new ProcessBuilder(List.of("bpftool", "prog", "show")).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("bpftool prog show failed: " + out);
        }
        Map<Integer, Map.Entry<String, Counters>> byId = new TreeMap<>();
        Matcher m = PROGRAM.matcher(out);
        while (m.find()) {
            long nanos = m.group(3) == null ? 0 : Long.parseLong(m.group(3));
            long runs = m.group(4) == null ? 0 : Long.parseLong(m.group(4));
            byId.put(Integer.parseInt(m.group(1)), Map.entry(m.group(2), new Counters(runs, nanos)));
        }
        return byId;
    }
}
