package io.tapflow.flowagg.chain;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * One service of the traced chain, run in its own JVM (inside a test network namespace):
 * <ul>
 *   <li>{@code gateway <port> <service-a base url>}: {@code GET /api/order?id=N} calls {@code GET /orders/N} on
 *       service A;</li>
 *   <li>{@code service-a <port> <redis port> <service-b base url>}: {@code GET /orders/N} sends {@code GET order:N}
 *       to Redis (RESP on a plain socket), then calls {@code GET /stock/N} on service B;</li>
 *   <li>{@code service-b <port>}: answers {@code GET /stock/N}.</li>
 * </ul>
 * A W3C {@code traceparent} on the inbound request is copied unchanged onto the outbound ones, as an application
 * that propagates headers without instrumentation does (the Istio model). Synchronous on purpose: the pool thread
 * that reads a request makes its downstream calls and writes its response itself (HttpURLConnection and the Redis
 * socket are used from that thread), which is what the collector's thread trace id needs. Prints
 * {@code listening <port>} when it accepts; runs until killed.
 */
public final class ChainServiceMain {

    private static final int THREADS = 8;

    /** Each pool thread keeps its own Redis connection. */
    private static final ThreadLocal<Socket> REDIS = new ThreadLocal<>();

    private ChainServiceMain() {
    }

    public static void main(String[] args) throws IOException {
        String role = args[0];
        int port = Integer.parseInt(args[1]);
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 64);
        server.setExecutor(Executors.newFixedThreadPool(THREADS));
        switch (role) {
            case "gateway" -> server.createContext("/api/order", ex -> serve(ex, () -> {
                String id = query(ex, "id");
                return "order " + id + ": " + get(args[2] + "/orders/" + id, ex);
            }));
            case "service-a" -> server.createContext("/orders/", ex -> serve(ex, () -> {
                String id = lastSegment(ex);
                String cached = redisGet(Integer.parseInt(args[2]), "order:" + id);
                return "a " + id + " cached=" + cached + " " + get(args[3] + "/stock/" + id, ex);
            }));
            case "service-b" -> server.createContext("/stock/", ex -> serve(ex, () -> "stock " + lastSegment(ex)));
            default -> throw new IllegalArgumentException("unknown role " + role);
        }
        server.start();
        System.out.println("listening " + port);
        System.out.flush();
    }

    private interface Body {
        String make() throws IOException;
    }

    private static void serve(HttpExchange ex, Body body) throws IOException {
        try (ex) {
            byte[] answer;
            int status = 200;
            try {
                answer = (body.make() + "\n").getBytes(StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                status = 502;
                answer = ("downstream failed: " + e + "\n").getBytes(StandardCharsets.UTF_8);
                System.err.println(ex.getRequestURI() + ": " + e);
            }
            ex.getResponseHeaders().set("Content-Type", "text/plain");
            ex.sendResponseHeaders(status, answer.length);
            ex.getResponseBody().write(answer);
        }
    }

    /** A GET on a keep-alive connection, forwarding the inbound traceparent. */
    private static String get(String url, HttpExchange inbound) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setConnectTimeout(5_000);
        c.setReadTimeout(10_000);
        String traceparent = inbound.getRequestHeaders().getFirst("traceparent");
        if (traceparent != null) {
            c.setRequestProperty("traceparent", traceparent);
        }
        int code = c.getResponseCode();
        try (InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream()) {
            String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            if (code != 200) {
                throw new IOException(url + " answered " + code + ": " + body);
            }
            return body;
        }
    }

    /** {@code GET key} in RESP on this thread's Redis connection; the bulk string, or "nil". */
    private static String redisGet(int port, String key) throws IOException {
        Socket s = REDIS.get();
        if (s == null) {
            s = new Socket("127.0.0.1", port);
            s.setTcpNoDelay(true);
            REDIS.set(s);
        }
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        req.writeBytes(("*2\r\n$3\r\nGET\r\n$" + k.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        req.writeBytes(k);
        req.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        OutputStream out = s.getOutputStream();
        out.write(req.toByteArray());
        out.flush();
        InputStream in = s.getInputStream();
        String head = line(in);
        if (head.startsWith("$-1")) {
            return "nil";
        }
        if (!head.startsWith("$")) {
            throw new IOException("redis answered " + head);
        }
        byte[] value = in.readNBytes(Integer.parseInt(head.substring(1)) + 2);
        return new String(value, 0, value.length - 2, StandardCharsets.UTF_8);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.append((char) c);
            }
        }
        if (c < 0) {
            throw new IOException("redis closed the connection");
        }
        return b.toString();
    }

    private static String query(HttpExchange ex, String name) {
        for (String pair : ex.getRequestURI().getRawQuery().split("&")) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        throw new IllegalArgumentException("no " + name + " in " + ex.getRequestURI());
    }

    private static String lastSegment(HttpExchange ex) {
        String path = ex.getRequestURI().getPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
