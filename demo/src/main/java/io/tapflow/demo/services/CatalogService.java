package io.tapflow.demo.services;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Products from Redis: {@code GET /products/{id}} is one {@code GET product:<id>} (RESP over a plain socket on the
 * worker thread), 404 when the key is absent. Product 0 is the demo's bug: it is read and then fails with 500.
 * The products are written at start, before the collector runs; each worker thread opens its own connection on
 * its first request, so the capture sees every connection from its start (and who opened it).
 */
final class CatalogService extends HttpService {

    static final int PRODUCTS = 20;
    private static final Pattern PRODUCT = Pattern.compile("/products/(\\w+)");

    private final int redisPort;
    private final ThreadLocal<RedisConnection> connection = new ThreadLocal<>();

    CatalogService(int redisPort) throws IOException {
        super("catalog");
        this.redisPort = redisPort;
        try (RedisConnection seed = new RedisConnection(redisPort)) {
            seed.command("SET", "product:0", "{\"id\":0,\"name\":\"broken\"}");
            for (int i = 1; i <= PRODUCTS; i++) {
                seed.command("SET", "product:" + i, "{\"id\":" + i + ",\"name\":\"product " + i
                        + "\",\"price\":" + (i * 3 + 0.99) + "}");
            }
        }
    }

    @Override
    protected Reply handle(String method, String path, String query, byte[] body) throws Exception {
        Matcher m = PRODUCT.matcher(path);
        if (!method.equals("GET") || !m.matches()) {
            return Reply.json(404, "{\"error\":\"no route\"}");
        }
        RedisConnection redis = connection.get();
        if (redis == null) {
            redis = new RedisConnection(redisPort);
            connection.set(redis);
        }
        String value = redis.command("GET", "product:" + m.group(1));
        Reply reply = m.group(1).equals("0") ? Reply.json(500, "{\"error\":\"product 0 is broken\"}")
                : value == null ? Reply.json(404, "{\"error\":\"no such product\"}") : Reply.json(200, value);
        return reply.withDownstream(called("catalog", "redis-server", "ok"));
    }

    /** One RESP connection: a command as an array of bulk strings, a simple or bulk string back. */
    static final class RedisConnection implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        RedisConnection(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        String command(String... args) throws IOException {
            StringBuilder c = new StringBuilder("*").append(args.length).append("\r\n");
            for (String a : args) {
                c.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
            }
            out.write(c.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            String line = line();
            return switch (line.charAt(0)) {
                case '+' -> line.substring(1);
                case '$' -> {
                    int n = Integer.parseInt(line.substring(1));
                    if (n < 0) {
                        yield null;
                    }
                    byte[] value = in.readNBytes(n + 2);
                    yield new String(value, 0, n, StandardCharsets.UTF_8);
                }
                default -> throw new IOException("redis: " + line);
            };
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }

        private String line() throws IOException {
            StringBuilder s = new StringBuilder();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new IOException("redis closed the connection");
                }
                if (b != '\r') {
                    s.append((char) b);
                }
            }
            return s.toString();
        }
    }
}
