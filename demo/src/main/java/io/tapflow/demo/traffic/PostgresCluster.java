package io.tapflow.demo.traffic;

import io.tapflow.localstack.process.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private PostgreSQL: a fresh cluster ({@code initdb}, trust authentication on loopback) in a temporary directory,
 * served by {@code postgres} on a free port with its socket in that directory. PostgreSQL refuses to run as root,
 * so as root both run as the {@code postgres} user the Debian package creates (runuser), which then owns the
 * directory.
 */
final class PostgresCluster implements AutoCloseable {

    private final ManagedProcess server;
    private final Path data;

    private PostgresCluster(ManagedProcess server, Path data) {
        this.server = server;
        this.data = data;
    }

    /** Stops the server and removes the cluster: it holds nothing the demo needs afterwards. */
    @Override
    public void close() {
        server.close();
        delete(data);
    }

    static PostgresCluster start(Path logDir, int port) {
        Path initdb = DemoServers.POSTGRES_BIN.resolve("initdb");
        if (!Files.isExecutable(initdb)) {
            throw new IllegalStateException(initdb + " not found: install the Debian package postgresql-15");
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        Path data;
        try {
            data = Files.createTempDirectory("tapflow-demo-postgres");
            if (root) {
                run(List.of("chown", "postgres:postgres", data.toString()), logDir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the PostgreSQL directory", e);
        }
        Path cluster = data.resolve("cluster");
        run(asPostgres(root, List.of(initdb.toString(), "-D", cluster.toString(), "-U", "postgres",
                "--auth=trust", "--no-sync", "-E", "UTF8")), logDir);
        List<String> serve = asPostgres(root, List.of(DemoServers.POSTGRES_BIN.resolve("postgres").toString(),
                "-D", cluster.toString(), "-p", Integer.toString(port), "-h", "127.0.0.1", "-k", data.toString(),
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"));
        try {
            return new PostgresCluster(ManagedProcess.builder("postgres")
                    .command(Path.of(serve.get(0)), serve.subList(1, serve.size()))
                    .logDir(logDir).healthCheck(DemoServers.tcp(port)).start(), data);
        } catch (RuntimeException e) {
            delete(data);
            throw e;
        }
    }

    private static List<String> asPostgres(boolean root, List<String> command) {
        List<String> c = new ArrayList<>();
        if (root) {
            c.addAll(List.of("/usr/sbin/runuser", "-u", "postgres", "--"));
        }
        c.addAll(command);
        return c;
    }

    private static void run(List<String> command, Path logDir) {
        try {
            Path log = logDir.resolve("setup.log");
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " failed; see " + log + ":\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + command, e);
        }
    }

    private static void delete(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary directory
        }
    }
}
