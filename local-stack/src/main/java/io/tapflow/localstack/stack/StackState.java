package io.tapflow.localstack.stack;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What a running local stack tells the other commands ({@code ./tapflow status | down | query}): the pid of the
 * process that holds it, where each component listens and the ids of its jobs. A properties file in the stack
 * directory, written when the stack is up and removed when it is down.
 *
 * @param pid       the stack process
 * @param endpoints component → URL or address (kafka, schema-registry, clickhouse, prometheus, flink, …)
 * @param jobs      job name → Flink job id
 */
public record StackState(long pid, Map<String, String> endpoints, Map<String, String> jobs) {

    static final String FILE = "stack.properties";

    public static Path file(Path dir) {
        return dir.resolve(FILE);
    }

    /** The state of the stack in {@code dir}, if one wrote it. */
    public static Optional<StackState> read(Path dir) {
        Path file = file(dir);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Map<String, String> endpoints = new TreeMap<>();
        Map<String, String> jobs = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith("endpoint.")) {
                endpoints.put(key.substring("endpoint.".length()), p.getProperty(key));
            } else if (key.startsWith("job.")) {
                jobs.put(key.substring("job.".length()), p.getProperty(key));
            }
        }
        return Optional.of(new StackState(Long.parseLong(p.getProperty("pid", "-1")), endpoints, jobs));
    }

    /** Writes the file atomically (readers never see half of it). */
    public void write(Path dir) {
        Properties p = new Properties();
        p.setProperty("pid", Long.toString(pid));
        endpoints.forEach((k, v) -> p.setProperty("endpoint." + k, v));
        jobs.forEach((k, v) -> p.setProperty("job." + k, v));
        Path file = file(dir);
        Path tmp = dir.resolve(FILE + ".tmp");
        try {
            Files.createDirectories(dir);
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(w, "tapflow local stack: written by ./tapflow up, removed by ./tapflow down");
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public static void remove(Path dir) {
        try {
            Files.deleteIfExists(file(dir));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file(dir), e);
        }
    }

    /** Whether the process that wrote this state still runs. */
    public boolean alive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    public StackState {
        endpoints = Map.copyOf(endpoints);
        jobs = Map.copyOf(jobs);
    }
}
