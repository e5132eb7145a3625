package io.tapflow.demo.traffic;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's clients: for a given time, two threads named {@code demo-client} call the gateway (product and order
 * reads, checkouts, and a few requests that fail — a missing product or order, the broken product 0, an unknown
 * route), and two threads named {@code demo-llm} stream chat completions from the LLM endpoint for two models and
 * two tenants (API keys). Everything is counted into a {@link TrafficRecord} from what the servers answered. The
 * mix is seeded, so two runs send the same kinds of requests in the same order.
 */
public final class TrafficDriver {

    /** The demo's tenants: label → API key (demo keys; only their labels are printed). */
    static final List<String[]> TENANTS = List.of(new String[] {"acme", "sk-demo-acme-0001"},
            new String[] {"globex", "sk-demo-globex-0002"});
    /** The names of the demo's own clients in the record (threads of this process, which is not captured). */
    public static final List<String> CLIENTS = List.of("demo-client", "demo-llm");
    static final List<String> MODELS = List.of("llama-3.1-8b-instruct", "qwen2.5-32b-instruct");
    private static final List<String> PROMPTS = List.of("Summarise the incident report in two sentences.",
            "Write a haiku about distributed tracing.", "Explain time to first token to a new engineer.",
            "Which of these three error logs matters most, and why?");
    private static final Pattern USAGE = Pattern.compile(
            "\"prompt_tokens\":(\\d+),\"completion_tokens\":(\\d+)");
    private static final Pattern DOWNSTREAM = Pattern.compile("([\\w-]+)>([\\w-]+):(\\w+)");

    private final String gateway;
    private final String llm;
    private final TrafficRecord record = new TrafficRecord();

    /** Drives the servers at {@code ports} (by name, as {@link DemoServers#ports()}), and records them. */
    public TrafficDriver(Map<String, Integer> ports) {
        this.gateway = "http://127.0.0.1:" + ports.get("gateway");
        this.llm = "http://127.0.0.1:" + ports.get("llm-server");
        ports.forEach(record::port);
    }

    public TrafficRecord record() {
        return record;
    }

    /** Drives traffic for {@code duration}; {@code progress} gets a line every {@code every}. */
    public void run(Duration duration, Duration every, Consumer<String> progress) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Random random = new Random(8 + i);
            threads.add(new Thread(() -> loop(end, () -> gatewayRequest(random), 150), "demo-client"));
            Random llmRandom = new Random(80 + i);
            int offset = i;
            threads.add(new Thread(() -> loop(end, () -> llmStream(llmRandom, offset), 900), "demo-llm"));
        }
        threads.forEach(Thread::start);
        long nextProgress = start + every.toNanos();
        while (threads.stream().anyMatch(Thread::isAlive)) {
            Thread.sleep(100);
            if (System.nanoTime() >= nextProgress) {
                progress.accept(String.format("%3d s: %d requests to the gateway (%d failed), %d LLM streams",
                        (System.nanoTime() - start) / 1_000_000_000L, record.total("requests"),
                        record.total("errors"), record.total("llm")));
                nextProgress += every.toNanos();
            }
        }
    }

    private interface Step {
        void run() throws IOException;
    }

    private static void loop(long end, Step step, long pauseMs) {
        while (System.nanoTime() < end) {
            try {
                step.run();
            } catch (IOException e) {
                throw new IllegalStateException("demo request failed: " + e, e);
            }
            try {
                Thread.sleep(pauseMs);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void gatewayRequest(Random random) throws IOException {
        int dice = random.nextInt(100);
        String method = "GET";
        String path;
        String endpoint;
        if (dice < 45) {
            int id = dice < 3 ? 0 : dice < 6 ? 404 : 1 + random.nextInt(20);
            path = "/api/products/" + id;
            endpoint = "/api/products/{id}";
        } else if (dice < 75) {
            path = "/api/orders/" + (1 + random.nextInt(dice < 70 ? 50 : 5_000));
            endpoint = "/api/orders/{id}";
        } else if (dice < 95) {
            method = "POST";
            path = "/api/checkout?product=" + (dice < 77 ? 0 : 1 + random.nextInt(20));
            endpoint = "/api/checkout";
        } else {
            path = "/api/v2/health";
            endpoint = path;
        }
        HttpURLConnection c = open(gateway + path, method);
        if (method.equals("POST")) {
            c.setDoOutput(true);
            c.setFixedLengthStreamingMode(0);
            c.getOutputStream().close();
        }
        int status = c.getResponseCode();
        drain(c, status);
        record.request(endpoint, status);
        record.call("demo-client", "gateway", status >= 400);
        String downstream = c.getHeaderField(io.tapflow.demo.services.HttpService.DOWNSTREAM_HEADER);
        Matcher m = DOWNSTREAM.matcher(downstream == null ? "" : downstream);
        while (m.find()) {
            record.call(m.group(1), m.group(2), m.group(3).matches("\\d+") && Integer.parseInt(m.group(3)) >= 400);
        }
    }

    private void llmStream(Random random, int offset) throws IOException {
        String[] tenant = TENANTS.get((offset + random.nextInt(4)) % 2 == 0 ? 0 : 1);
        String model = MODELS.get(random.nextInt(3) == 0 ? 1 : 0);
        int maxTokens = 8 + random.nextInt(17);
        String body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + PROMPTS.get(random.nextInt(PROMPTS.size())) + "\"}],\"stream\":true,\"stream_options\":"
                + "{\"include_usage\":true},\"max_tokens\":" + maxTokens + "}";
        HttpURLConnection c = open(llm + "/v1/chat/completions", "POST");
        c.setRequestProperty("Content-Type", "application/json");
        c.setRequestProperty("Authorization", "Bearer " + tenant[1]);
        c.setDoOutput(true);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        c.setFixedLengthStreamingMode(bytes.length);
        try (OutputStream out = c.getOutputStream()) {
            out.write(bytes);
        }
        if (c.getResponseCode() != 200) {
            throw new IOException("LLM endpoint answered " + c.getResponseCode());
        }
        long prompt = -1;
        long completion = -1;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                Matcher m = USAGE.matcher(line);
                if (m.find()) {
                    prompt = Long.parseLong(m.group(1));
                    completion = Long.parseLong(m.group(2));
                }
            }
        }
        if (prompt < 0) {
            throw new IOException("the LLM stream had no usage chunk");
        }
        record.call("demo-llm", "llm-server", false);
        record.llm(tenant[0], model, prompt, completion);
    }

    private static HttpURLConnection open(String url, String method) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setRequestMethod(method);
        c.setConnectTimeout(2_000);
        c.setReadTimeout(20_000);
        return c;
    }

    private static void drain(HttpURLConnection c, int status) throws IOException {
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        if (in != null) {
            try (in) {
                in.readAllBytes();
            }
        }
    }
}
