package io.tapflow.localstack.kafka;

import io.tapflow.localstack.process.SharedInstance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker in this JVM: one combined KRaft controller+broker node built with Kafka's own
 * {@link KafkaClusterTestKit}. Internal topics run with replication factor 1 so transactions (EXACTLY_ONCE
 * sinks) work on a single node.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);

    /** Brokers of this JVM in {@link #close()}: Kafka's requests to stop the JVM are ignored meanwhile. */
    private static final AtomicInteger CLOSING = new AtomicInteger();
    private static boolean exitGuarded;
    private static final SharedInstance<KafkaBroker> SHARED = new SharedInstance<>("kafka-broker", KafkaBroker::start);

    private final KafkaClusterTestKit cluster;

    private KafkaBroker(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /** Starts a fresh broker whose log directories are deleted on {@link #close()}. */
    public static KafkaBroker start() {
        return start(null);
    }

    /**
     * Starts a broker. With a non-null {@code dataDir} its logs live there and survive {@link #close()};
     * with null they go to a temporary directory that is deleted on close.
     */
    public static KafkaBroker start(Path dataDir) {
        guardJvmExit();
        long t0 = System.nanoTime();
        try {
            TestKitNodes.Builder nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBootstrapMetadataVersion(MetadataVersion.LATEST_PRODUCTION);
            boolean formatted = false;
            if (dataDir != null) {
                nodes.setBaseDirectory(dataDir);
                // a restart on the same data: the same cluster id, and the storage is not formatted again
                nodes.setClusterId(clusterId(dataDir));
                formatted = isFormatted(dataDir);
            }
            KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes.build())
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "4")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("transaction.state.log.num.partitions", "4")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("auto.create.topics.enable", "false")
                    .setDeleteOnClose(dataDir == null)
                    .build();
            if (!formatted) {
                cluster.format();
            }
            cluster.startup();
            cluster.waitForReadyBrokers();
            KafkaBroker broker = new KafkaBroker(cluster);
            LOG.info("Kafka broker up at {} in {} ms", broker.bootstrapServers(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            return broker;
        } catch (Exception e) {
            throw new IllegalStateException("Kafka broker (KRaft, in-process) failed to start: " + e, e);
        }
    }

    /** The cluster id kept in {@code dataDir/cluster-id}, made on first use. */
    private static String clusterId(Path dataDir) throws IOException {
        Path file = Files.createDirectories(dataDir).resolve("cluster-id");
        if (Files.isRegularFile(file)) {
            return Files.readString(file, StandardCharsets.US_ASCII).trim();
        }
        String id = Uuid.randomUuid().toString();
        Files.writeString(file, id, StandardCharsets.US_ASCII);
        return id;
    }

    /** Whether a node's storage under {@code dataDir} was formatted by an earlier start. */
    private static boolean isFormatted(Path dataDir) throws IOException {
        try (Stream<Path> files = Files.walk(dataDir, 3)) {
            return files.anyMatch(p -> p.getFileName().toString().equals("meta.properties"));
        }
    }

    /** One broker per JVM, started on first use and stopped by a shutdown hook. */
    public static KafkaBroker shared() {
        return SHARED.get();
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** Client properties with {@code bootstrap.servers} set; callers add their own settings. */
    public Properties clientProperties() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return props;
    }

    public Admin admin() {
        return Admin.create(clientProperties());
    }

    /** Creates a topic (replication factor 1) unless it exists already. */
    public void createTopic(String name, int partitions, Map<String, String> configs) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause(), e.getCause());
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + name + ": " + e, e);
        }
    }

    public void createTopic(String name, int partitions) {
        createTopic(name, partitions, Map.of());
    }

    @Override
    public void close() {
        CLOSING.incrementAndGet();
        try {
            cluster.close();
        } catch (Exception e) {
            LOG.warn("Kafka broker did not shut down cleanly: {}", e.toString());
        } finally {
            CLOSING.decrementAndGet();
        }
    }

    /**
     * Kafka halts the JVM when a broker loses its last log directory and exits it on some fatal errors; embedded,
     * that JVM is ours (a test run, the local stack). Say who stopped it and why before it stops, and ignore the
     * request while a broker of this JVM is being closed: files going away under a stopping broker are expected
     * then, and must not turn a finished test run into a failed one.
     */
    private static synchronized void guardJvmExit() {
        if (exitGuarded) {
            return;
        }
        Exit.setHaltProcedure((code, message) -> terminate("halt", code, message,
                () -> Runtime.getRuntime().halt(code)));
        Exit.setExitProcedure((code, message) -> terminate("exit", code, message, () -> System.exit(code)));
        exitGuarded = true;
    }

    private static void terminate(String how, int code, String message, Runnable stop) {
        if (CLOSING.get() > 0) {
            LOG.warn("Kafka asked to {} the JVM with status {} while its broker is closing; ignored: {}", how, code,
                    message);
            return;
        }
        LOG.error("Kafka {}s the JVM with status {}: {}", how, code, message, new Throwable("requested here"));
        stop.run();
    }

    /** How long clients should wait for this broker in tests; the broker is local and starts in seconds. */
    public static Duration clientTimeout() {
        return Duration.ofSeconds(30);
    }
}
