package io.tapflow.llm.it;

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
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scripted inference server, run as its own process (the collector excludes its own pid): OpenAI-compatible
 * {@code /v1/chat/completions} (SSE with and without {@code stream_options.include_usage}, or one JSON body),
 * Ollama {@code /api/chat} (NDJSON) and TGI {@code /generate_stream} (SSE). The model name is the schedule:
 * {@code s-<ttft ms>-<tpot ms>-<tokens>}: the first content event is written {@code ttft} after the request was
 * read, each next one {@code tpot} after the previous (absolute deadlines, so sleeping errors do not add up), one
 * write() per event. A request's {@code max_tokens} caps the schedule's tokens (finish reason "length"), so that
 * requests of one model can stream for different lengths. Usage always reports {@code prompt_tokens} = 7 + the
 * tokens written (a number the estimate from the prompt's characters cannot hit by chance). Prints
 * {@code listening <port>} and then, per request,
 * {@code served <path> <model> <tokens written> <ttft us> <tpot us> <start ns> <end ns> <ttft lo> <ttft hi> <tpot lo>
 * <tpot hi>} (bounds in us, see {@link Timing}) as the server itself timed
 * its token writes (a loaded machine can make it miss its schedule; the job must report what happened); start is
 * when the request's first byte was read, end when the response's last write() was issued, both
 * {@link System#nanoTime()} = CLOCK_MONOTONIC, the clock the collector's kernel timestamps come from.
 */
public final class ScriptedLlmServerMain {

    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)content-length:\\s*(\\d+)");
    static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"s-(\\d+)-(\\d+)-(\\d+)\"");
    private static final Pattern MAX_TOKENS = Pattern.compile("\"max_tokens\"\\s*:\\s*(\\d+)");

    public static void main(String[] args) throws Exception {
        warmUp();
        try (ServerSocket server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress())) {
            System.out.println("listening " + server.getLocalPort());
            System.out.flush();
            while (true) {
                Socket s = server.accept();
                // the collector names a call by its thread's comm: one name for all, as a single-process server
                // (uvicorn, vLLM's API server) has
                Thread t = new Thread(() -> serve(s), "llm-server");
                t.setDaemon(true);
                t.start();
            }
        }
    }

    private static void serve(Socket s) {
        try (s; InputStream in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
                OutputStream out = s.getOutputStream()) {
            s.setTcpNoDelay(true);
            while (true) {
                long[] firstByteNs = new long[2];
                String head = readHead(in, firstByteNs);
                if (head == null) {
                    return;
                }
                // the schedule starts when the request's first bytes were read, as TTFT is defined (a client may
                // write its head in pieces: node's does)
                long readNs = firstByteNs[1];
                Matcher cl = CONTENT_LENGTH.matcher(head);
                byte[] body = in.readNBytes(cl.find() ? Integer.parseInt(cl.group(1)) : 0);
                String json = new String(body, StandardCharsets.UTF_8);
                String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
                Matcher m = MODEL.matcher(json);
                if (!m.find()) {
                    write(out, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
                    continue;
                }
                String model = "s-" + m.group(1) + "-" + m.group(2) + "-" + m.group(3);
                long ttftNs = Long.parseLong(m.group(1)) * 1_000_000L;
                long tpotNs = Long.parseLong(m.group(2)) * 1_000_000L;
                int scheduled = Integer.parseInt(m.group(3));
                Matcher max = MAX_TOKENS.matcher(json);
                int tokens = max.find() ? Math.min(scheduled, Integer.parseInt(max.group(1))) : scheduled;
                boolean stream = !json.replace(" ", "").contains("\"stream\":false");
                boolean usage = json.replace(" ", "").contains("\"include_usage\":true");
                Timing timing = new Timing(firstByteNs[0], readNs);
                int written;
                try {
                    written = switch (path) {
                        case "/v1/chat/completions" -> stream
                                ? openAiStream(out, model, timing, ttftNs, tpotNs, tokens, usage, tokens < scheduled)
                                : openAiJson(out, model, timing, ttftNs, tpotNs, tokens);
                        case "/api/chat" -> ollama(out, model, timing, ttftNs, tpotNs, tokens);
                        case "/generate_stream" -> tgi(out, model, timing, ttftNs, tpotNs, tokens);
                        default -> {
                            write(out, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
                            yield 0;
                        }
                    };
                } catch (IOException e) {
                    // the client went away mid-stream (the disconnect scenario)
                    System.out.println("served " + path + " " + model + " cut");
                    System.out.flush();
                    return;
                }
                System.out.println("served " + path + " " + model + " " + written + " " + timing.report(written));
                System.out.flush();
            }
        } catch (IOException e) {
            // connection gone
        }
    }

    /**
     * Runs every handler a few times into memory before listening, so that class loading and the JIT do not sit
     * between a request's read and its first token (a cold first request was 365 ms late).
     */
    private static void warmUp() throws IOException {
        for (int i = 0; i < 200; i++) {
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            Timing now = new Timing(System.nanoTime(), System.nanoTime());
            MODEL.matcher("{\"model\":\"s-0-0-3\"}").find();
            CONTENT_LENGTH.matcher("Content-Length: 12").find();
            openAiStream(sink, "s-0-0-3", now, 0, 0, 3, true, false);
            openAiStream(sink, "s-0-0-3", now, 0, 0, 3, false, true);
            MAX_TOKENS.matcher("\"max_tokens\":3").find();
            openAiJson(sink, "s-0-0-3", now, 0, 0, 3);
            ollama(sink, "s-0-0-3", now, 0, 0, 3);
            tgi(sink, "s-0-0-3", now, 0, 0, 3);
        }
    }

    private static int openAiStream(OutputStream out, String model, Timing t0, long ttft, long tpot, int n,
            boolean usage, boolean capped) throws IOException {
        write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
        chunk(out, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"" + model
                + "\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                + "\"finish_reason\":null}]}\n\n");
        for (int i = 0; i < n; i++) {
            waitUntil(t0.readNs + ttft + i * tpot);
            t0.token();
            chunk(out, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"" + model
                    + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok" + i + " \"},"
                    + "\"finish_reason\":null}]}\n\n");
            t0.written();
        }
        StringBuilder tail = new StringBuilder("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\""
                + model + "\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\""
                + (capped ? "length" : "stop") + "\"}]}\n\n");
        if (usage) {
            tail.append("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"").append(model)
                    .append("\",\"choices\":[],\"usage\":").append(usageJson(n)).append("}\n\n");
        }
        tail.append("data: [DONE]\n\n");
        byte[] t = tail.toString().getBytes(StandardCharsets.UTF_8);
        t0.end();
        write(out, Integer.toHexString(t.length) + "\r\n" + tail + "\r\n0\r\n\r\n");
        return n;
    }

    private static int openAiJson(OutputStream out, String model, Timing t0, long ttft, long tpot, int n)
            throws IOException {
        waitUntil(t0.readNs + ttft + (n - 1) * tpot);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < n; i++) {
            text.append("tok").append(i).append(' ');
        }
        String body = "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"" + model + "\",\"choices\":[{"
                + "\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + text + "\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":" + usageJson(n) + "}";
        t0.end();
        write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body);
        return n;
    }

    private static int ollama(OutputStream out, String model, Timing t0, long ttft, long tpot, int n)
            throws IOException {
        write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < n; i++) {
            waitUntil(t0.readNs + ttft + i * tpot);
            t0.token();
            chunk(out, "{\"model\":\"" + model + "\",\"message\":{\"role\":\"assistant\",\"content\":\"tok" + i
                    + " \"},\"done\":false}\n");
            t0.written();
        }
        String last = "{\"model\":\"" + model + "\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},"
                + "\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":" + (7 + n) + ",\"eval_count\":" + n
                + "}\n";
        t0.end();
        write(out, Integer.toHexString(last.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + last
                + "\r\n0\r\n\r\n");
        return n;
    }

    private static int tgi(OutputStream out, String model, Timing t0, long ttft, long tpot, int n)
            throws IOException {
        write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < n; i++) {
            waitUntil(t0.readNs + ttft + i * tpot);
            t0.token();
            text.append("tok").append(i).append(' ');
            String details = i < n - 1 ? "\"generated_text\":null,\"details\":null"
                    : "\"generated_text\":\"" + text + "\",\"details\":{\"finish_reason\":\"length\","
                    + "\"generated_tokens\":" + n + ",\"seed\":null}";
            chunk(out, "data:{\"index\":" + (i + 1) + ",\"token\":{\"id\":" + (100 + i) + ",\"text\":\"tok" + i
                    + " \",\"logprob\":-0.5,\"special\":false}," + details + "}\n\n");
            t0.written();
        }
        t0.end();
        write(out, "0\r\n\r\n");
        return n;
    }

    /**
     * When the request was read, when the first and last token writes and the response's last write were issued:
     * the server's own truth. Each syscall the collector times is also bracketed (the clock read just before the
     * call and just after it returned), because on a loaded machine the thread can lose the core between a syscall
     * and its clock read: the true TTFT and TPOT lie within [lo, hi] of {@link #report}.
     */
    static final class Timing {
        final long readBeforeNs;
        final long readNs;
        long firstNs = -1;
        long firstAfterNs = -1;
        long lastNs = -1;
        long lastAfterNs = -1;
        long endNs = -1;

        Timing(long readBeforeNs, long readNs) {
            this.readBeforeNs = readBeforeNs;
            this.readNs = readNs;
        }

        /** Just before a token's write(). */
        void token() {
            lastNs = System.nanoTime();
            if (firstNs < 0) {
                firstNs = lastNs;
            }
        }

        /** Just after a token's write() returned. */
        void written() {
            lastAfterNs = System.nanoTime();
            if (firstAfterNs < 0) {
                firstAfterNs = lastAfterNs;
            }
        }

        /** Just before the response's last write() (the instant the job's E2E ends at). */
        void end() {
            endNs = System.nanoTime();
        }

        /**
         * "ttft_us tpot_us start_ns end_ns ttft_lo ttft_hi tpot_lo tpot_hi" as the server measured them (ttft and
         * tpot "-" when nothing was streamed): ttft/tpot from the clock reads just after the read and just before
         * the writes, lo/hi the bounds the bracketing clock reads allow.
         */
        String report(int tokens) {
            String interval = " " + readNs + " " + endNs;
            if (firstNs < 0) {
                return "- -" + interval + " - - - -";
            }
            long gaps = Math.max(1, tokens - 1);
            long tpot = tokens > 1 ? Math.round((lastNs - firstNs) / 1_000.0 / gaps) : 0;
            long tpotLo = tokens > 1 ? Math.round((lastNs - firstAfterNs) / 1_000.0 / gaps) : 0;
            long tpotHi = tokens > 1 ? Math.round((lastAfterNs - firstNs) / 1_000.0 / gaps) : 0;
            return (firstNs - readNs) / 1_000 + " " + tpot + interval + " " + (firstNs - readNs) / 1_000 + " "
                    + (firstAfterNs - readBeforeNs) / 1_000 + " " + tpotLo + " " + tpotHi;
        }
    }

    private static String usageJson(int n) {
        return String.format(Locale.ROOT, "{\"prompt_tokens\":%d,\"completion_tokens\":%d,\"total_tokens\":%d}",
                7 + n, n, 7 + 2 * n);
    }

    private static void waitUntil(long deadlineNs) {
        long left;
        while ((left = deadlineNs - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left > 2_000_000L ? left - 1_000_000L : Math.min(left, 50_000L));
        }
    }

    private static void chunk(OutputStream out, String data) throws IOException {
        write(out, Integer.toHexString(data.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + data + "\r\n");
    }

    /** One write() call per piece: what the collector sees as one event. */
    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /**
     * The request head; {@code firstByteNs} gets the clock just before and just after the read() that returned its
     * first bytes. That read is made only once bytes are there (up to 2 s of polling, then a plain blocking read,
     * which also sees the end of the connection), so that the two clock reads bracket the syscall the collector
     * timed rather than the wait for the request.
     */
    private static String readHead(InputStream in, long[] firstByteNs) throws IOException {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (in.available() == 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(50_000L);
        }
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            long before = System.nanoTime();
            int b = in.read();
            if (b < 0) {
                return null;
            }
            if (head.size() == 0) {
                firstByteNs[0] = before;
                firstByteNs[1] = System.nanoTime();
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                    ? state + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}
