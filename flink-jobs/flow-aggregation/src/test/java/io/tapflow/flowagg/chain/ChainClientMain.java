package io.tapflow.flowagg.chain;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The chain's client, in its own JVM: {@code <gateway base url> <requests> <threads>}. Waits for a line on stdin
 * (the test adds its pid to the capture filter first), then sends {@code GET /api/order?id=N} for N = 0 .. requests-1
 * from {@code threads} threads on keep-alive connections; every even N carries a fresh W3C {@code traceparent}.
 * Prints one line per request when all are done: {@code N <status> <trace id or ->}.
 */
public final class ChainClientMain {

    private ChainClientMain() {
    }

    public static void main(String[] args) throws Exception {
        String base = args[0];
        int requests = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();

        AtomicInteger next = new AtomicInteger();
        ConcurrentSkipListMap<Integer, String> results = new ConcurrentSkipListMap<>();
        List<Thread> workers = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                for (int n = next.getAndIncrement(); n < requests; n = next.getAndIncrement()) {
                    String traceId = n % 2 == 0 ? hex(16) : null;
                    results.put(n, call(base + "/api/order?id=" + n, traceId) + " " + (traceId == null ? "-"
                            : traceId));
                }
            }, "client-" + t);
            worker.start();
            workers.add(worker);
        }
        for (Thread w : workers) {
            w.join();
        }
        results.forEach((n, r) -> System.out.println(n + " " + r));
    }

    private static int call(String url, String traceId) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(5_000);
            c.setReadTimeout(20_000);
            if (traceId != null) {
                c.setRequestProperty("traceparent", "00-" + traceId + "-" + hex(8) + "-01");
            }
            int code = c.getResponseCode();
            try (InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream()) {
                if (in != null) {
                    in.readAllBytes();
                }
            }
            return code;
        } catch (IOException e) {
            System.err.println(url + ": " + e);
            return -1;
        }
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
