package io.tapflow.demo.traffic;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the demo sent, counted as it went — the numbers the printed tables must show: requests per gateway endpoint
 * and status, calls per service-map edge (and how many failed), and per API key and model the LLM requests and the
 * tokens the server's usage reported. Saved next to a recorded capture so a replay knows what it replays.
 */
public final class TrafficRecord {

    private static final String ENDPOINT = "endpoint|";
    private static final String EDGE = "edge|";
    private static final String EDGE_ERRORS = "edge-errors|";
    private static final String LLM = "llm|";
    private static final String PORT = "port|";

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    /** One request the gateway answered: {@code endpoint} as the job normalises it ("/api/products/{id}"). */
    public void request(String endpoint, int status) {
        add(ENDPOINT + endpoint + "|" + status, 1);
    }

    /** One call from {@code client} to {@code server} (service names as the map shows them). */
    public void call(String client, String server, boolean failed) {
        add(EDGE + client + "|" + server, 1);
        if (failed) {
            add(EDGE_ERRORS + client + "|" + server, 1);
        }
    }

    /** One LLM stream with the usage the server reported. */
    public void llm(String apiKey, String model, long promptTokens, long completionTokens) {
        add(LLM + apiKey + "|" + model + "|requests", 1);
        add(LLM + apiKey + "|" + model + "|input", promptTokens);
        add(LLM + apiKey + "|" + model + "|output", completionTokens);
    }

    /** Where server {@code name} listened: tables name a server it did not observe by its address. */
    public void port(String name, int port) {
        counts.computeIfAbsent(PORT + name, k -> new LongAdder()).add(port);
    }

    /** Port by server name. */
    public Map<String, Long> ports() {
        return strip(PORT);
    }

    private void add(String key, long n) {
        counts.computeIfAbsent(key, k -> new LongAdder()).add(n);
    }

    /** Requests per "endpoint|status". */
    public Map<String, Long> endpoints() {
        return strip(ENDPOINT);
    }

    /** Calls per "client|server". */
    public Map<String, Long> edges() {
        return strip(EDGE);
    }

    /** Failed calls (status >= 400) per "client|server". */
    public Map<String, Long> edgeErrors() {
        return strip(EDGE_ERRORS);
    }

    /** "apiKey|model|requests|input|output" → value. */
    public Map<String, Long> llm() {
        return strip(LLM);
    }

    public long total(String kind) {
        return switch (kind) {
            case "requests" -> endpoints().values().stream().mapToLong(Long::longValue).sum();
            case "errors" -> endpoints().entrySet().stream().filter(e -> Integer.parseInt(
                    e.getKey().substring(e.getKey().lastIndexOf('|') + 1)) >= 400).mapToLong(Map.Entry::getValue)
                    .sum();
            case "llm" -> llm().entrySet().stream().filter(e -> e.getKey().endsWith("|requests"))
                    .mapToLong(Map.Entry::getValue).sum();
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private Map<String, Long> strip(String prefix) {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v.sum());
            }
        });
        return out;
    }

    public void save(Path file) {
        Properties p = new Properties();
        counts.forEach((k, v) -> p.setProperty(k, Long.toString(v.sum())));
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(w, "what the demo traffic generator sent while this capture was recorded");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public static TrafficRecord load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        TrafficRecord record = new TrafficRecord();
        p.stringPropertyNames().forEach(k -> record.add(k, Long.parseLong(p.getProperty(k))));
        return record;
    }
}
