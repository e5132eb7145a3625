package io.tapflow.collector.bpf.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A syscall the probes do not capture, for {@link SyscallOverheadBench}: {@code <calls>} times lseek on a temporary
 * file ({@code FileChannel.position()}), printing {@code ns_per_call=<n> cpu_ns_per_call=<n>}. What the probes add
 * to it is what every other syscall on the host pays for them (the syscall tracepoint hooks, and a raw sys_enter
 * program runs for every syscall).
 */
public final class SeekLoop {

    private SeekLoop() {}

    public static void main(String[] args) throws Exception {
        int calls = Integer.parseInt(args[0]);
        Path file = Files.createTempFile("tapflow-seek", ".bin");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long sink = 0;
            for (int i = 0; i < Math.min(calls, 50_000); i++) { // warm-up: JIT, not measured
                sink += channel.position();
            }
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpuStart = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                sink += channel.position();
            }
            long elapsed = System.nanoTime() - start;
            long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
            System.out.println("ns_per_call=" + (double) elapsed / calls + " cpu_ns_per_call=" + (double) cpu / calls
                    + " (position sum " + sink + ")");
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
