package io.tapflow.protocols.bench;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code ./tapflow bench parsers}: runs {@link ParserBenchmark} for the given protocols (default http1 and
 * redis) and prints decoded bytes per second per core (the benchmark is single-threaded).
 *
 * <p>Args: {@code [--quick] [protocol[:capture-prefix,...]...]}; --quick runs fewer, shorter iterations for a
 * smoke check. The default adds {@code http1:01,03,06}: keep-alive, HEAD and pipelined exchanges whose bytes are
 * mostly headers (the whole http1 corpus is dominated by large bodies, which are skipped rather than parsed), and
 * {@code http1:14}: service-to-service JSON calls whose request and response heads are ~300 bytes each, the
 * "typical 300-byte headers" the ≥ 1 GB/s target is about (curl's and wrk's heads in 01-06 are 50-180 bytes).
 *
 * <p>{@code --cpu [...]} measures per CPU-second instead of the wall clock ({@link CpuBenchmark}): what to quote
 * from a shared machine.
 */
public final class ParserBenchmarkMain {

    private static final String[] DEFAULT_PROTOCOLS = {"http1", "http1:01,03,06", "http1:14", "redis"};

    public static void main(String[] args) throws RunnerException, IOException {
        if (List.of(args).contains("--cpu")) {
            CpuBenchmark cpu = CpuBenchmark.fromArgs(List.of(args));
            for (String protocol : cpu.protocols.isEmpty() ? List.of(DEFAULT_PROTOCOLS) : cpu.protocols) {
                cpu.run(protocol);
            }
            return;
        }
        boolean quick = List.of(args).contains("--quick");
        String[] protocols = List.of(args).stream().filter(a -> !a.startsWith("--")).toArray(String[]::new);
        if (protocols.length == 0) {
            protocols = DEFAULT_PROTOCOLS;
        }
        Options options = new OptionsBuilder()
                .include(ParserBenchmark.class.getName())
                .param("protocol", protocols)
                .forks(1)
                .warmupIterations(quick ? 1 : 3)
                .warmupTime(TimeValue.seconds(quick ? 1 : 2))
                .measurementIterations(quick ? 2 : 5)
                .measurementTime(TimeValue.seconds(quick ? 1 : 2))
                .build();
        Collection<RunResult> results = new Runner(options).run();
        System.out.println();
        System.out.println("benchmark        protocol          bytes/op        ops/s     MB/s (1 core)   ±error");
        for (RunResult r : results) {
            String protocol = r.getParams().getParam("protocol");
            long bytes = ParserBenchmark.bytesPerOp(protocol);
            double ops = r.getPrimaryResult().getScore();
            double err = r.getPrimaryResult().getScoreError();
            String benchmark = r.getParams().getBenchmark();
            System.out.printf("%-16s %-16s %9d %12.1f %12.1f %12.1f%n",
                    benchmark.substring(benchmark.lastIndexOf('.') + 1), protocol, bytes, ops, ops * bytes / 1e6,
                    Double.isNaN(err) ? 0 : err * bytes / 1e6);
        }
    }

    private ParserBenchmarkMain() {
    }
}
