package io.tapflow.collector;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka broker (KRaft, combined broker+controller) in its own JVM, started from Kafka's own main class with
 * fixed ports and a data directory, so the test can stop it (SIGTERM, like an operator or a crash would) and start
 * it again on the same port with the same data — what an agent sees when its Kafka goes away and comes back.
 * local-stack's in-process {@code KafkaBroker} binds fresh ports on every start, hence this.
 */
final class KafkaBrokerProcess implements AutoCloseable {

    private final Path dir;
    private final Path properties;
    private final int port;
    private Process process;
    private int starts;

    private KafkaBrokerProcess(Path dir, int port, int controllerPort) throws IOException {
        this.dir = dir;
        this.port = port;
        this.properties = dir.resolve("server.properties");
        Files.writeString(properties, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@localhost:" + controllerPort,
                "listeners=PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort,
                "advertised.listeners=PLAINTEXT://localhost:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                "") + "\n");
        run(List.of("kafka.tools.StorageTool", "format", "-t", uuid(), "-c", properties.toString()),
                dir.resolve("format.log"));
    }

    /** Formats a data directory under {@code dir} and starts the broker on free ports. */
    static KafkaBrokerProcess start(Path dir) throws IOException {
        Files.createDirectories(dir);
        KafkaBrokerProcess broker = new KafkaBrokerProcess(dir, freePort(), freePort());
        broker.startAgain();
        return broker;
    }

    String bootstrapServers() {
        return "localhost:" + port;
    }

    /** Starts the broker (again) on the same port and data directory and waits until it accepts connections. */
    void startAgain() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("broker already running");
        }
        starts++;
        ProcessBuilder builder = new ProcessBuilder(javaCommand(List.of("kafka.Kafka", properties.toString())));
        builder.redirectErrorStream(true);
        builder.redirectOutput(dir.resolve("broker-" + starts + ".log").toFile());
        process = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("Kafka broker exited with " + process.exitValue() + ", see "
                        + dir.resolve("broker-" + starts + ".log"));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("localhost", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(200);
            }
        }
        throw new IOException("Kafka broker did not listen on " + port + " within 60 s");
    }

    /** Stops the broker with SIGTERM (its controlled shutdown) and waits for the process to end. */
    void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private static List<String> javaCommand(List<String> mainAndArgs) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.addAll(mainAndArgs);
        return command;
    }

    private static void run(List<String> mainAndArgs, Path log) throws IOException {
        Process tool = new ProcessBuilder(javaCommand(mainAndArgs)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            if (!tool.waitFor(60, TimeUnit.SECONDS) || tool.exitValue() != 0) {
                throw new IOException("Kafka storage format failed, see " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static String uuid() {
        // Kafka cluster ids are 16 bytes, URL-safe base64 without padding
        UUID id = UUID.randomUUID();
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(16);
        bytes.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
