package io.tapflow.collector.bpf;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * Child-JVM server for the AutoTracing ITCase: on ONE thread it reads a request, calls the downstream URL with
 * blocking I/O (HttpURLConnection does its I/O on the calling thread; the JDK HttpClient would not), then answers.
 * Prints its port on the first line of stdout; serves until killed.
 */
public final class TracingServerMain {

    private TracingServerMain() {}

    public static void main(String[] args) throws Exception {
        URL downstream = new URL(args[0]);
        try (ServerSocket server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress())) {
            System.out.println(server.getLocalPort());
            System.out.flush();
            while (true) {
                try (Socket client = server.accept()) {
                    readHead(client.getInputStream());
                    String answer = call(downstream);
                    byte[] body = ("downstream said: " + answer).getBytes(StandardCharsets.UTF_8);
                    OutputStream out = client.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                }
            }
        }
    }

    private static void readHead(InputStream in) throws Exception {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        while (!head.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
            int n = in.read(buffer);
            if (n < 0) {
                return;
            }
            head.write(buffer, 0, n);
        }
    }

    private static String call(URL url) throws Exception {
        HttpURLConnection connection = (HttpURLConnection) url.openConnection();
        connection.setRequestProperty("Connection", "close");
        try (InputStream in = connection.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } finally {
            connection.disconnect();
        }
    }
}
