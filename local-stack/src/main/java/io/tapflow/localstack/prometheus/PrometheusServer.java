package io.tapflow.localstack.prometheus;

import io.tapflow.localstack.process.FreePorts;
import io.tapflow.localstack.process.HealthCheck;
import io.tapflow.localstack.process.InstanceDir;
import io.tapflow.localstack.process.ManagedProcess;
import io.tapflow.localstack.process.SharedInstance;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Prometheus server (Debian's {@code prometheus}) as a local process with the remote-write receiver on.
 * Its config ({@code prometheus.yml}: no scrape jobs, out-of-order samples accepted within
 * {@link #OUT_OF_ORDER_WINDOW} so replayed windows are not rejected) and its TSDB ({@code data/}) live in its
 * instance directory; it listens on 127.0.0.1 on a free port.
 */
public final class PrometheusServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PrometheusServer.class);
    public static final String BINARY = "prometheus";
    /** How far behind the newest sample of a series a remote-written sample may be. */
    public static final String OUT_OF_ORDER_WINDOW = "2h";

    private static final SharedInstance<PrometheusServer> SHARED = new SharedInstance<>("prometheus-server", PrometheusServer::start);

    private final InstanceDir dir;
    private final ManagedProcess process;
    private final int port;

    private PrometheusServer(InstanceDir dir, ManagedProcess process, int port) {
        this.dir = dir;
        this.process = process;
        this.port = port;
    }

    /** A server on a temporary directory that {@link #close()} deletes. */
    public static PrometheusServer start() {
        return start(InstanceDir.temporary("prometheus"));
    }

    /** A server whose TSDB lives in {@code dataDir} and survives {@link #close()}. */
    public static PrometheusServer start(Path dataDir) {
        return start(InstanceDir.kept(dataDir));
    }

    private static PrometheusServer start(InstanceDir dir) {
        return ManagedProcess.launch(dir, BINARY, "Debian package prometheus", binary -> startOnce(binary, dir));
    }

    private static PrometheusServer startOnce(Path binary, InstanceDir dir) {
        int port = FreePorts.find();
        Path config = dir.write("prometheus.yml", """
                # written by tapflow local-stack; rewritten on every start
                global:
                  scrape_interval: 15s
                  evaluation_interval: 15s
                storage:
                  tsdb:
                    out_of_order_time_window: %s
                scrape_configs: []
                """.formatted(OUT_OF_ORDER_WINDOW));
        Path data = dir.dir("data");
        ManagedProcess process = ManagedProcess.builder("prometheus")
                .command(binary, List.of(
                        "--config.file=" + config,
                        "--storage.tsdb.path=" + data,
                        "--web.listen-address=127.0.0.1:" + port,
                        "--web.enable-remote-write-receiver",
                        "--web.enable-lifecycle"))
                .workDir(dir.root())
                .logDir(dir.dir("log"))
                .healthCheck(HealthCheck.httpGet(URI.create("http://127.0.0.1:" + port + "/-/ready"), "Prometheus"))
                .startTimeout(Duration.ofSeconds(60))
                .stopTimeout(Duration.ofSeconds(30))
                .start();
        PrometheusServer server = new PrometheusServer(dir, process, port);
        LOG.info("Prometheus up at {} (dir {})", server.url(), dir.root());
        return server;
    }

    /** One server per JVM, started on first use and stopped by a shutdown hook. */
    public static PrometheusServer shared() {
        return SHARED.get();
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Where remote-write senders POST (snappy-compressed protobuf WriteRequest). */
    public String remoteWriteUrl() {
        return url() + "/api/v1/write";
    }

    public Path directory() {
        return dir.root();
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * An instant query ({@code GET /api/v1/query}) evaluated now; returns the JSON body. A non-success answer
     * throws with Prometheus' error text.
     */
    public String query(String promql) {
        return new PrometheusQuery(url()).instantJson(promql);
    }

    /** Stops the server (SIGTERM, then SIGKILL after 30 s) and deletes a temporary directory. */
    @Override
    public void close() {
        try {
            process.close();
        } finally {
            dir.close();
        }
    }
}
