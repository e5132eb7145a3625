package io.tapflow.flowagg.timing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Sends {@code count} requests one after another on one keep-alive connection to {@code port}, each asking for a
 * different delay (after untimed warm-up requests), and prints what it measured itself: {@code <path> <microseconds>} from just before writing the
 * request to just after reading the last byte of the response.
 */
public final class TimedHttpClientMain {

    /** Requests sent before the timed ones, whose paths contain "warmup". */
    static final int WARM_UP = 200;

    private TimedHttpClientMain() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        int count = Integer.parseInt(args[1]);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setTcpNoDelay(true);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            // untimed warm-up: class loading and JIT of the first calls would otherwise count as request time
            for (int i = 0; i < WARM_UP; i++) {
                exchange(in, out, "/delay/0/warmup-" + i);
            }
            for (int i = 0; i < count; i++) {
                String path = "/delay/" + delayMs(i) + "/" + i;
                byte[] request = request(path);
                byte[] expected = ScriptedHttpServerMain.response(path);
                long start = System.nanoTime();
                out.write(request);
                byte[] response = in.readNBytes(expected.length);
                long micros = (System.nanoTime() - start) / 1_000;
                check(path, expected, response);
                System.out.println(path + " " + micros);
            }
        }
    }

    private static void exchange(InputStream in, OutputStream out, String path) throws IOException {
        out.write(request(path));
        byte[] expected = ScriptedHttpServerMain.response(path);
        check(path, expected, in.readNBytes(expected.length));
    }

    private static byte[] request(String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: timing\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The server's answer is known in advance, so the timed section only writes and reads. */
    private static void check(String path, byte[] expected, byte[] actual) {
        if (!Arrays.equals(expected, actual)) {
            throw new IllegalStateException("unexpected response to " + path + ": "
                    + new String(actual, StandardCharsets.US_ASCII));
        }
    }

    /** 0..45 ms in a spread that no constant offset could match. */
    static int delayMs(int i) {
        return (i * 17) % 46;
    }
}
