package io.tapflow.collector.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code GET /metrics} in the Prometheus text format from the JDK's own HTTP server (no dependencies), on
 * one daemon thread: a scrape every few seconds needs no more.
 */
public final class MetricsServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final List<MetricsSource> sources;

    private MetricsServer(HttpServer server, List<MetricsSource> sources) {
        this.server = server;
        this.sources = List.copyOf(sources);
    }

    /** Starts serving on {@code address} (port 0 = any free port; see {@link #port()}). */
    public static MetricsServer start(InetSocketAddress address, List<MetricsSource> sources) throws IOException {
        HttpServer http = HttpServer.create(address, 16);
        MetricsServer metrics = new MetricsServer(http, sources);
        http.createContext("/metrics", metrics::handle);
        http.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "tapflow-metrics");
            thread.setDaemon(true);
            return thread;
        }));
        http.start();
        LOG.info("metrics at http://{}:{}/metrics", address.getHostString(), metrics.port());
        return metrics;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The exposition text of all sources, as a scrape returns it. */
    public String render() {
        PrometheusWriter writer = new PrometheusWriter();
        for (MetricsSource source : sources) {
            source.writeTo(writer);
        }
        return writer.text();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body;
            try {
                body = render().getBytes(StandardCharsets.UTF_8);
            } catch (RuntimeException e) {
                LOG.warn("metrics scrape failed: {}", e.toString());
                exchange.sendResponseHeaders(500, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(200, head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
