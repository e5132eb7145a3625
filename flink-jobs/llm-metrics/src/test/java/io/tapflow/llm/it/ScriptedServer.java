package io.tapflow.llm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A running {@link ScriptedLlmServerMain} process: its address, its pid (what the collector captures), and the
 * "served" lines it printed, i.e. its own timing of each request it answered in full.
 */
final class ScriptedServer implements AutoCloseable {

    /**
     * One request as the server timed it: ttft and tpot null when nothing was streamed; start (first request byte
     * read) and end (last response write issued) on CLOCK_MONOTONIC, as the collector's kernel timestamps; the
     * bounds within which the syscall-to-syscall TTFT and TPOT lie, from clock reads bracketing each syscall.
     */
    record Served(String path, String model, int tokens, Long ttftUs, Long tpotUs, long startNs, long endNs,
                  Long ttftLoUs, Long ttftHiUs, Long tpotLoUs, Long tpotHiUs) {
    }

    private final Process process;
    private final int port;
    private final long wallOffsetNs;
    private final List<Served> served = new CopyOnWriteArrayList<>();

    private ScriptedServer(Process process, int port) {
        this.process = process;
        this.port = port;
        this.wallOffsetNs = wallOffsetNs();
    }

    static ScriptedServer start() throws IOException {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ScriptedLlmServerMain.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        String listening = out.readLine();
        if (listening == null || !listening.startsWith("listening ")) {
            process.destroyForcibly();
        }
        assertThat(listening).as("server start-up line").startsWith("listening ");
        ScriptedServer server = new ScriptedServer(process, Integer.parseInt(listening.substring(10)));
        Thread reader = new Thread(() -> server.readServed(out), "server-output");
        reader.setDaemon(true);
        reader.start();
        return server;
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    /** What the server printed so far, in the order it finished the requests. */
    List<Served> served() {
        return List.copyOf(served);
    }

    /** The one request of {@code model} the server finished, or null. */
    Served served(String model) {
        List<Served> of = served.stream().filter(s -> s.model().equals(model)).toList();
        assertThat(of.size()).as("requests of %s the server finished", model).isLessThanOrEqualTo(1);
        return of.isEmpty() ? null : of.get(0);
    }

    /** A CLOCK_MONOTONIC instant as microseconds since the epoch, converted the way the collector converts. */
    long wallUs(long monotonicNs) {
        return Math.floorDiv(monotonicNs + wallOffsetNs, 1_000);
    }

    private void readServed(BufferedReader out) {
        try {
            String line;
            while ((line = out.readLine()) != null) {
                String[] f = line.split(" ");
                // "served <path> <model> cut" is a request the client gave up on: no timing
                if (f.length == 12 && f[0].equals("served")) {
                    served.add(new Served(f[1], f[2], Integer.parseInt(f[3]), microsOrNull(f[4]), microsOrNull(f[5]),
                            Long.parseLong(f[6]), Long.parseLong(f[7]), microsOrNull(f[8]), microsOrNull(f[9]),
                            microsOrNull(f[10]), microsOrNull(f[11])));
                }
            }
        } catch (IOException e) {
            // the server was stopped
        }
    }

    private static Long microsOrNull(String field) {
        return field.equals("-") ? null : Long.parseLong(field);
    }

    /**
     * Wall clock minus CLOCK_MONOTONIC ({@link System#nanoTime()} on Linux), from the tightest of a few brackets:
     * how the collector converts kernel timestamps, so that the server's instants and the job's compare.
     */
    private static long wallOffsetNs() {
        long bestWidth = Long.MAX_VALUE;
        long offset = 0;
        for (int i = 0; i < 5; i++) {
            long before = System.nanoTime();
            Instant now = Instant.now();
            long width = System.nanoTime() - before;
            if (width < bestWidth) {
                bestWidth = width;
                offset = now.getEpochSecond() * 1_000_000_000L + now.getNano() - (before + width / 2);
            }
        }
        return offset;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
}
