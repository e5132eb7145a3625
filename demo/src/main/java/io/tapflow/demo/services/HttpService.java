package io.tapflow.demo.services;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The HTTP side every demo service shares: a {@code com.sun.net.httpserver} on a free loopback port whose worker
 * threads all carry the service's name. The collector names a call by its thread's comm, and the same worker thread
 * reads the request, makes the downstream calls and writes the response — what links a server span to its outbound
 * calls (thread_trace_id). Downstream calls use {@link HttpURLConnection} for the same reason: it runs on the
 * calling thread (java.net.http.HttpClient would hand the I/O to its own threads).
 */
public abstract class HttpService {

    /** A handler's answer. */
    protected record Reply(int status, String contentType, String body, String downstream) {

        static Reply json(int status, String body) {
            return new Reply(status, "application/json", body, null);
        }

        Reply withDownstream(String calls) {
            return new Reply(status, contentType, body, calls);
        }
    }

    /** What a downstream HTTP call answered, and the calls it made in turn (its {@link #DOWNSTREAM_HEADER}). */
    protected record Answer(int status, String body, String downstream) {
    }

    /**
     * The header each service lists the calls it made for a request in, its callees' calls included, for the
     * demo's record: comma-separated {@code caller>callee:status} ("gateway>catalog:200,catalog>redis-server:ok").
     */
    public static final String DOWNSTREAM_HEADER = "X-Demo-Downstream";

    /** One entry of {@link #DOWNSTREAM_HEADER}. */
    protected static String called(String caller, String callee, Object status) {
        return caller + ">" + callee + ":" + status;
    }

    /** The entries of a call and of its callees, joined. */
    protected static String calls(String... entries) {
        StringBuilder s = new StringBuilder();
        for (String e : entries) {
            if (e != null && !e.isEmpty()) {
                s.append(s.length() == 0 ? "" : ",").append(e);
            }
        }
        return s.toString();
    }

    private final String name;

    protected HttpService(String name) {
        this.name = name;
    }

    /** Answers one request; runs on a worker thread named after the service. */
    protected abstract Reply handle(String method, String path, String query, byte[] body) throws Exception;

    /** Starts listening and prints {@code listening <port>} (the parent reads it); returns the server. */
    public final HttpServer start(int threads) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        server.setExecutor(Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::exchange);
        server.start();
        System.out.println("listening " + server.getAddress().getPort());
        System.out.flush();
        return server;
    }

    private void exchange(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            URI uri = exchange.getRequestURI();
            Reply reply;
            try {
                reply = handle(exchange.getRequestMethod(), uri.getPath(), uri.getQuery(), body);
            } catch (Exception e) {
                reply = Reply.json(500, "{\"error\":\"" + e.getClass().getSimpleName() + "\"}");
            }
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", reply.contentType());
            if (reply.downstream() != null) {
                exchange.getResponseHeaders().set(DOWNSTREAM_HEADER, reply.downstream());
            }
            exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    /** One synchronous HTTP call on this thread; the connection goes back to the JDK's keep-alive cache. */
    protected static Answer call(String method, String url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setRequestMethod(method);
        c.setConnectTimeout(2_000);
        c.setReadTimeout(10_000);
        if (method.equals("POST")) {
            c.setDoOutput(true);
            c.setFixedLengthStreamingMode(0);
            c.getOutputStream().close();
        }
        int status = c.getResponseCode();
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        if (in != null) {
            in.close();
        }
        return new Answer(status, body, c.getHeaderField(DOWNSTREAM_HEADER));
    }
}
