package io.tapflow.demo.services;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenAI-compatible inference endpoint with a fixed pace per model: {@code POST /v1/chat/completions} with
 * {@code "stream": true} answers Server-Sent Events, the first content token {@link Pace#ttftMs} after the request
 * was read and each next one {@link Pace#tpotMs} later, {@code max_tokens} tokens in all, one write() per event (what
 * the collector sees as one event), and — with {@code stream_options.include_usage} — the usage chunk OpenAI sends.
 * Prompt tokens are the words of the messages plus 4 (a chat template's share). An unknown model is 404, as OpenAI
 * answers. Plain sockets and a thread per connection named {@code llm-server}, as a single-process server has.
 */
final class LlmService {

    /** The pace of a model. */
    record Pace(long ttftMs, long tpotMs) {
    }

    static final Map<String, Pace> MODELS = Map.of(
            "llama-3.1-8b-instruct", new Pace(60, 12),
            "qwen2.5-32b-instruct", new Pace(180, 30));

    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)content-length:\\s*(\\d+)");
    private static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern MAX_TOKENS = Pattern.compile("\"max_tokens\"\\s*:\\s*(\\d+)");
    private static final Pattern CONTENT = Pattern.compile("\"content\"\\s*:\\s*\"([^\"]*)\"");

    void serve() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress())) {
            System.out.println("listening " + server.getLocalPort());
            System.out.flush();
            while (true) {
                Socket s = server.accept();
                Thread t = new Thread(() -> connection(s), "llm-server");
                t.setDaemon(true);
                t.start();
            }
        }
    }

    private static void connection(Socket s) {
        try (s; InputStream in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
                OutputStream out = s.getOutputStream()) {
            s.setTcpNoDelay(true);
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                long readNs = System.nanoTime();
                Matcher cl = CONTENT_LENGTH.matcher(head);
                String json = new String(in.readNBytes(cl.find() ? Integer.parseInt(cl.group(1)) : 0),
                        StandardCharsets.UTF_8);
                Matcher model = MODEL.matcher(json);
                Pace pace = model.find() ? MODELS.get(model.group(1)) : null;
                if (!head.startsWith("POST /v1/chat/completions ") || pace == null) {
                    String body = "{\"error\":{\"message\":\"model not found\",\"type\":\"invalid_request_error\"}}";
                    write(out, "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: "
                            + body.length() + "\r\n\r\n" + body);
                    continue;
                }
                Matcher max = MAX_TOKENS.matcher(json);
                int tokens = max.find() ? Integer.parseInt(max.group(1)) : 16;
                stream(out, model.group(1), pace, readNs, tokens, promptTokens(json),
                        json.replace(" ", "").contains("\"include_usage\":true"));
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    static int promptTokens(String json) {
        int words = 0;
        Matcher m = CONTENT.matcher(json);
        while (m.find()) {
            words += m.group(1).isBlank() ? 0 : m.group(1).trim().split("\\s+").length;
        }
        return words + 4;
    }

    private static void stream(OutputStream out, String model, Pace pace, long readNs, int tokens, int prompt,
            boolean usage) throws IOException {
        write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
        String prefix = "data: {\"id\":\"chatcmpl-demo\",\"object\":\"chat.completion.chunk\",\"model\":\"" + model
                + "\",\"choices\":[";
        chunk(out, prefix + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}"
                + "]}\n\n");
        for (int i = 0; i < tokens; i++) {
            waitUntil(readNs + (pace.ttftMs() + i * pace.tpotMs()) * 1_000_000L);
            chunk(out, prefix + "{\"index\":0,\"delta\":{\"content\":\"word" + i
                    + " \"},\"finish_reason\":null}]}\n\n");
        }
        StringBuilder tail = new StringBuilder(prefix
                + "{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n");
        if (usage) {
            tail.append(prefix).append("],\"usage\":").append(String.format(Locale.ROOT,
                    "{\"prompt_tokens\":%d,\"completion_tokens\":%d,\"total_tokens\":%d}", prompt, tokens,
                    prompt + tokens)).append("}\n\n");
        }
        tail.append("data: [DONE]\n\n");
        write(out, Integer.toHexString(tail.toString().getBytes(StandardCharsets.UTF_8).length) + "\r\n" + tail
                + "\r\n0\r\n\r\n");
    }

    private static void waitUntil(long deadlineNs) {
        long left;
        while ((left = deadlineNs - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }

    private static void chunk(OutputStream out, String data) throws IOException {
        write(out, Integer.toHexString(data.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + data + "\r\n");
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}
