package io.tapflow.demo.traffic;

import io.tapflow.demo.services.ServiceMain;
import io.tapflow.localstack.process.Binaries;
import io.tapflow.localstack.process.FreePorts;
import io.tapflow.localstack.process.HealthCheck;
import io.tapflow.localstack.process.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's servers, each its own child process on a free loopback port: a private Redis and a private PostgreSQL
 * (a fresh cluster in a temporary directory — never the system services), then the catalog (Redis), orders
 * (PostgreSQL), the gateway in front of both, and the OpenAI-compatible LLM endpoint; and a second Redis only the
 * {@link EventClock} calls. Logs per server under {@code workDir/<name>/}. {@link #close()} stops them in reverse
 * order.
 */
public final class DemoServers implements AutoCloseable {

    /**
     * Who calls whom: by server (as {@link #ports()} names it), its process name and its callers'. A capture has no
     * processes, so a replay names both ends of each connection from this; {@code -} is the demo's own process,
     * which the live collector leaves out, so the replay leaves it out too.
     */
    public static final Map<String, String> ENDS = Map.of("gateway", "gateway/-", "llm-server", "llm-server/-",
            "catalog", "catalog/gateway", "orders", "orders/gateway", "redis-server", "redis-server/catalog",
            "postgres", "postgres/orders", "redis-clock", "redis-server/redis-cli");

    /** Where Debian's postgresql-15 puts initdb and postgres (not on PATH). */
    static final Path POSTGRES_BIN = Path.of("/usr/lib/postgresql/15/bin");
    private static final Pattern LISTENING = Pattern.compile("(?m)^listening (\\d+)$");

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Path workDir;

    private DemoServers(Path workDir) {
        this.workDir = workDir;
    }

    /** Starts every server; on failure stops what was started before the exception leaves. */
    public static DemoServers start(Path workDir) {
        DemoServers servers = new DemoServers(workDir.toAbsolutePath());
        try {
            servers.startAll();
            return servers;
        } catch (RuntimeException e) {
            servers.close();
            throw e;
        }
    }

    private void startAll() {
        int redis = redis("redis-server");
        redis("redis-clock");
        int postgres = FreePorts.find();
        started.push(PostgresCluster.start(dir("postgres"), postgres));
        ports.put("postgres", postgres);

        ports.put("catalog", service("catalog", List.of(Integer.toString(redis))));
        ports.put("orders", service("orders", List.of(Integer.toString(postgres))));
        ports.put("gateway", service("gateway", List.of(Integer.toString(ports.get("catalog")),
                Integer.toString(ports.get("orders")))));
        ports.put("llm-server", service("llm", List.of()));
    }

    /** A private redis-server (nothing saved) on a free port, registered as {@code name}. */
    private int redis(String name) {
        int port = FreePorts.find();
        started.push(ManagedProcess.builder(name)
                .command(Binaries.locate("redis-server", "Debian package redis-server"), List.of("--port",
                        Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                        "--dir", dir(name).toString()))
                .logDir(dir(name)).healthCheck(tcp(port)).start());
        ports.put(name, port);
        return port;
    }

    /** A {@link ServiceMain} JVM on this JVM's class path; its port is the one it prints. */
    private int service(String role, List<String> args) {
        Path logs = dir(role);
        List<String> command = new ArrayList<>(List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), ServiceMain.class.getName(), role));
        command.addAll(args);
        ManagedProcess p = ManagedProcess.builder(role)
                .command(Path.of(System.getProperty("java.home"), "bin", "java"), command)
                .logDir(logs).startTimeout(Duration.ofSeconds(60))
                .healthCheck(new HealthCheck() {
                    @Override
                    public boolean ready() throws IOException {
                        return LISTENING.matcher(Files.readString(logs.resolve("stdout.log"))).find();
                    }

                    @Override
                    public String describe() {
                        return "'listening <port>' on stdout";
                    }
                }).start();
        started.push(p);
        try {
            Matcher m = LISTENING.matcher(Files.readString(p.stdoutLog()));
            m.find();
            return Integer.parseInt(m.group(1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static HealthCheck tcp(int port) {
        return new HealthCheck() {
            @Override
            public boolean ready() throws IOException {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    return true;
                }
            }

            @Override
            public String describe() {
                return "TCP connect to 127.0.0.1:" + port;
            }
        };
    }

    private Path dir(String name) {
        try {
            return Files.createDirectories(workDir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + workDir.resolve(name), e);
        }
    }

    /** Port by server: the names of {@link #ENDS}. */
    public Map<String, Integer> ports() {
        return Map.copyOf(ports);
    }

    public int port(String server) {
        return ports.get(server);
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                System.err.println("stopping a demo server failed: " + e);
            }
        }
    }
}
