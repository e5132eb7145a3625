package io.tapflow.flowagg.chain;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A process the test started: its stdout read line by line by a thread of its own (so the process never blocks on
 * a full pipe), stderr passed through, and a bounded kill on close.
 */
public final class ChildProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ChildProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, "stdout-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    public static ChildProcess start(String name, List<String> command) throws IOException {
        return new ChildProcess(name, new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT)
                .start());
    }

    /** A JVM running {@code main} of the test class path, small and quick to start. */
    public static List<String> java(Class<?> main, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx128m", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Dhttp.maxConnections=16",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return command;
    }

    public int pid() {
        return (int) process.pid();
    }

    /** Waits for a stdout line that matches; fails naming the process after {@code timeout}. */
    public String awaitLine(Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line != null && match.test(line)) {
                return line;
            }
            if (line == null) {
                throw new AssertionError(name + " printed no expected line within " + timeout.toSeconds() + " s"
                        + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")"));
            }
        }
    }

    public void writeLine(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Waits for the process to exit; returns every stdout line not consumed yet. */
    public List<String> awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not finish within " + timeout.toSeconds() + " s");
        }
        Thread.sleep(200); // the reader thread takes the last lines
        List<String> rest = new ArrayList<>();
        lines.drainTo(rest);
        if (process.exitValue() != 0) {
            throw new AssertionError(name + " exited " + process.exitValue() + "; stdout: " + rest);
        }
        return rest;
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                System.err.println(name + " (pid " + process.pid() + ") did not exit within 10 s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
