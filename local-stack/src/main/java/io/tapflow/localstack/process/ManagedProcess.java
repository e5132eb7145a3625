package io.tapflow.localstack.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real server process started by the local stack: stdout and stderr go to files in its log directory, start-up
 * waits for a {@link HealthCheck} with a deadline, and {@link #close()} stops the whole process tree (SIGTERM, wait,
 * SIGKILL). Every live process is also stopped by one JVM shutdown hook, so a test run that dies leaves no servers
 * behind.
 */
public final class ManagedProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ManagedProcess.class);
    private static final int TAIL_LINES = 30;
    private static final Set<ManagedProcess> LIVE = ConcurrentHashMap.newKeySet();
    private static volatile boolean hookInstalled;

    private final String name;
    private final List<String> command;
    private final Process process;
    private final Path stdoutLog;
    private final Path stderrLog;
    private final List<Path> extraLogs;
    private final Duration stopTimeout;
    private boolean closed;

    private ManagedProcess(Builder b, Process process, Path stdoutLog, Path stderrLog) {
        this.name = b.name;
        this.command = List.copyOf(b.command);
        this.process = process;
        this.stdoutLog = stdoutLog;
        this.stderrLog = stderrLog;
        this.extraLogs = List.copyOf(b.extraLogs);
        this.stopTimeout = b.stopTimeout;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * Runs {@code attempt} up to {@code attempts} times while it fails only because a port chosen by
     * {@link FreePorts} was taken in the meantime (each attempt should choose new ports).
     */
    /**
     * Starts a server binary in {@code dir}: locates it (or says which ./tapflow setup step installs it), retries
     * with fresh ports when another process took one first, and deletes a temporary {@code dir} when it fails.
     */
    public static <T> T launch(InstanceDir dir, String binary, String installedBy,
                               Function<Path, T> startOnce) {
        try {
            Path located = Binaries.locate(binary, installedBy);
            return retryOnPortClash(3, () -> startOnce.apply(located));
        } catch (RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    public static <T> T retryOnPortClash(int attempts, Supplier<T> attempt) {
        for (int i = 1; ; i++) {
            try {
                return attempt.get();
            } catch (ServerStartException e) {
                if (i >= attempts || !e.addressInUse()) {
                    throw e;
                }
                LOG.warn("port clash on attempt {} of {}; retrying with new ports", i, attempts);
            }
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    public String commandLine() {
        return String.join(" ", command);
    }

    public Path stdoutLog() {
        return stdoutLog;
    }

    public Path stderrLog() {
        return stderrLog;
    }

    /** The last lines of stdout, stderr and the extra logs, each under a header naming the file. */
    public String logTail() {
        return logTail(TAIL_LINES);
    }

    public String logTail(int lines) {
        List<Path> files = new ArrayList<>();
        files.add(stdoutLog);
        files.add(stderrLog);
        files.addAll(extraLogs);
        StringBuilder sb = new StringBuilder();
        for (Path f : files) {
            sb.append("--- ").append(f).append(" (last ").append(lines).append(" lines) ---\n");
            for (String line : tail(f, lines)) {
                sb.append(line).append('\n');
            }
        }
        return sb.toString();
    }

    private static List<String> tail(Path file, int lines) {
        if (!Files.isRegularFile(file)) {
            return List.of("(no such file)");
        }
        Deque<String> last = new ArrayDeque<>(lines);
        try (var reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (last.size() == lines) {
                    last.removeFirst();
                }
                last.addLast(line);
            }
        } catch (IOException e) {
            return List.of("(cannot read: " + e + ")");
        }
        return new ArrayList<>(last);
    }

    /**
     * Stops the process tree: SIGTERM to the process and its descendants, up to the stop timeout for it to exit,
     * then SIGKILL to whatever is left. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LIVE.remove(this);
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(process.toHandle());
        tree.addAll(process.descendants().collect(Collectors.toList()));
        if (!process.isAlive() && tree.size() == 1) {
            return;
        }
        long t0 = System.nanoTime();
        tree.forEach(ProcessHandle::destroy);
        boolean exited = waitFor(tree, stopTimeout);
        if (!exited) {
            LOG.warn("{} (pid {}) did not stop within {} ms of SIGTERM; killing it", name, pid(),
                    stopTimeout.toMillis());
            tree.forEach(ProcessHandle::destroyForcibly);
            if (!waitFor(tree, Duration.ofSeconds(10))) {
                LOG.error("{} (pid {}) survived SIGKILL", name, pid());
            }
        }
        LOG.info("{} (pid {}) stopped in {} ms", name, pid(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    private static boolean waitFor(List<ProcessHandle> handles, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ProcessHandle h : handles) {
            long left = deadline - System.nanoTime();
            try {
                h.onExit().get(Math.max(left, 0), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (java.util.concurrent.ExecutionException e) {
                // onExit never completes exceptionally
            }
        }
        return true;
    }

    private static void installHook() {
        if (hookInstalled) {
            return;
        }
        synchronized (LIVE) {
            if (!hookInstalled) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    for (ManagedProcess p : List.copyOf(LIVE)) {
                        p.close();
                    }
                }, "tapflow-managed-process-shutdown"));
                hookInstalled = true;
            }
        }
    }

    /** What to start and how to tell it is ready. */
    public static final class Builder {
        private final String name;
        private final List<String> command = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private final List<Path> extraLogs = new ArrayList<>();
        private Path workDir;
        private Path logDir;
        private HealthCheck healthCheck;
        private Duration startTimeout = Duration.ofSeconds(60);
        private Duration stopTimeout = Duration.ofSeconds(20);

        private Builder(String name) {
            this.name = name;
        }

        public Builder command(Path binary, List<String> args) {
            command.clear();
            command.add(binary.toString());
            command.addAll(args);
            return this;
        }

        public Builder workDir(Path dir) {
            this.workDir = dir;
            return this;
        }

        /** Where {@code stdout.log} and {@code stderr.log} go (truncated on every start). */
        public Builder logDir(Path dir) {
            this.logDir = dir;
            return this;
        }

        /** A log file the server writes itself; its tail is part of start-up errors. */
        public Builder extraLog(Path file) {
            extraLogs.add(file);
            return this;
        }

        public Builder env(String key, String value) {
            env.put(key, value);
            return this;
        }

        public Builder healthCheck(HealthCheck check) {
            this.healthCheck = check;
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        public Builder stopTimeout(Duration timeout) {
            this.stopTimeout = timeout;
            return this;
        }

        /**
         * Starts the process and waits until the health check passes.
         *
         * @throws ServerStartException when the process exits or is not ready by the deadline (it is stopped first)
         */
        public ManagedProcess start() {
            if (command.isEmpty() || logDir == null || healthCheck == null) {
                throw new IllegalArgumentException("command, logDir and healthCheck are required");
            }
            Path stdout = logDir.resolve("stdout.log");
            Path stderr = logDir.resolve("stderr.log");
            Process process;
            try {
                Files.createDirectories(logDir);
                ProcessBuilder pb = new ProcessBuilder(command)
                        .redirectOutput(stdout.toFile())
                        .redirectError(stderr.toFile());
                if (workDir != null) {
                    pb.directory(workDir.toFile());
                }
                pb.environment().putAll(env);
                process = pb.start();
                process.getOutputStream().close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + name + ": " + String.join(" ", command), e);
            }
            ManagedProcess mp = new ManagedProcess(this, process, stdout, stderr);
            installHook();
            LIVE.add(mp);
            long t0 = System.nanoTime();
            long deadline = t0 + startTimeout.toNanos();
            Exception lastError = null;
            while (true) {
                if (!process.isAlive()) {
                    mp.close();
                    throw new ServerStartException(name + " exited with code " + process.exitValue()
                            + " before it was ready (" + healthCheck.describe() + ")", mp.commandLine(), mp.logTail());
                }
                try {
                    if (healthCheck.ready()) {
                        LOG.info("{} ready (pid {}) in {} ms", name, mp.pid(),
                                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                        return mp;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    mp.close();
                    throw new IllegalStateException("interrupted while waiting for " + name, e);
                } catch (Exception e) {
                    lastError = e;
                }
                if (System.nanoTime() > deadline) {
                    mp.close();
                    throw new ServerStartException(name + " was not ready within " + startTimeout.toSeconds()
                            + " s (" + healthCheck.describe() + "; last check: "
                            + (lastError == null ? "not ready" : lastError.toString()) + ")",
                            mp.commandLine(), mp.logTail());
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    mp.close();
                    throw new IllegalStateException("interrupted while waiting for " + name, e);
                }
            }
        }
    }
}
