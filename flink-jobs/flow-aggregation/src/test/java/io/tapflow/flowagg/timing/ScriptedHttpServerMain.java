package io.tapflow.flowagg.timing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.1 server with a thread per connection that blocks in read() between requests (the case where a read's
 * entry is not when the request arrived) and answers {@code GET /delay/<ms>/<n>} after sleeping {@code ms}.
 * Prints {@code listening <port>} once it accepts connections; runs until killed.
 */
public final class ScriptedHttpServerMain {

    private ScriptedHttpServerMain() {
    }

    public static void main(String[] args) throws IOException {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            System.out.println("listening " + server.getLocalPort());
            System.out.flush();
            while (true) {
                Socket socket = server.accept();
                Thread worker = new Thread(() -> serve(socket), "conn-" + socket.getPort());
                worker.setDaemon(true);
                worker.start();
            }
        }
    }

    private static void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            String head;
            while ((head = readHead(in)) != null) {
                String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
                String[] parts = path.split("/");
                Thread.sleep(Long.parseLong(parts[2]));
                // one write: head and body in separate writes would wait out Nagle and the peer's delayed ACK
                out.write(response(path));
                out.flush();
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("connection ended: " + e);
        }
    }

    /** The whole response to {@code path}. */
    static byte[] response(String path) {
        String body = "done " + path + "\n";
        return ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length() + "\r\n\r\n"
                + body).getBytes(StandardCharsets.US_ASCII);
    }

    /** The request head up to the blank line, or null at end of stream. */
    static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            head.append((char) c);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                return head.toString();
            }
        }
        return null;
    }
}
