package io.tapflow.localstack.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * What the client does when the server drops a kept-alive connection as a request goes out on it (ClickHouse's
 * keep-alive timeout racing the next query). The peer is a plain socket that answers like an HTTP server and then
 * closes the connection on the second request without answering: the failure itself, not ClickHouse, is under test.
 */
class ClickHouseHttpTest {

    @Test
    void readsAreStatementsThatOnlyRead() {
        assertThat(ClickHouseHttp.readOnly("SELECT 1 FORMAT TSV")).isTrue();
        assertThat(ClickHouseHttp.readOnly("  select count() FROM t")).isTrue();
        assertThat(ClickHouseHttp.readOnly("WITH 1 AS x SELECT x")).isTrue();
        assertThat(ClickHouseHttp.readOnly("SHOW TABLES")).isTrue();
        assertThat(ClickHouseHttp.readOnly("DESCRIBE TABLE t")).isTrue();
        assertThat(ClickHouseHttp.readOnly("EXISTS TABLE t")).isTrue();
        assertThat(ClickHouseHttp.readOnly("INSERT INTO t FORMAT JSONEachRow {}")).isFalse();
        assertThat(ClickHouseHttp.readOnly("DROP DATABASE IF EXISTS d")).isFalse();
        assertThat(ClickHouseHttp.readOnly("SELECTED")).isFalse();
        assertThat(ClickHouseHttp.readOnly("")).isFalse();
    }

    @Test
    void aReadOnAConnectionTheServerDroppedIsAskedAgain() throws Exception {
        try (DroppingServer server = new DroppingServer()) {
            ClickHouseHttp client = new ClickHouseHttp(server.url(), null, "default", "");
            assertThat(client.query("SELECT 1 FORMAT TSV")).isEqualTo("answer 1\n");
            assertThat(client.query("SELECT 2 FORMAT TSV")).as("dropped once, asked again on a new connection")
                    .isEqualTo("answer 3\n");
            assertThat(server.requests()).containsExactly("SELECT 1 FORMAT TSV", "SELECT 2 FORMAT TSV",
                    "SELECT 2 FORMAT TSV");
        }
    }

    @Test
    void aWriteIsNeverSentTwice() throws Exception {
        try (DroppingServer server = new DroppingServer()) {
            ClickHouseHttp client = new ClickHouseHttp(server.url(), null, "default", "");
            client.query("SELECT 1 FORMAT TSV");
            assertThatThrownBy(() -> client.query("INSERT INTO t FORMAT TSV 1"))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("unreachable");
            assertThat(server.requests()).containsExactly("SELECT 1 FORMAT TSV", "INSERT INTO t FORMAT TSV 1");
        }
    }

    /** Answers every request except the second, on which it closes the (kept-alive) connection unanswered. */
    private static final class DroppingServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        private final List<String> requests = new ArrayList<>();
        private final Thread thread = new Thread(this::serve, "dropping-server");

        DroppingServer() throws IOException {
            thread.setDaemon(true);
            thread.start();
        }

        String url() {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }

        synchronized List<String> requests() {
            return List.copyOf(requests);
        }

        private void serve() {
            try {
                while (!socket.isClosed()) {
                    try (Socket connection = socket.accept()) {
                        InputStream in = connection.getInputStream();
                        OutputStream out = connection.getOutputStream();
                        String body;
                        while ((body = readRequest(in)) != null) {
                            int n;
                            synchronized (this) {
                                requests.add(body);
                                n = requests.size();
                            }
                            if (n == 2) {
                                break; // close unanswered
                            }
                            byte[] answer = ("answer " + n + "\n").getBytes(StandardCharsets.UTF_8);
                            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + answer.length
                                    + "\r\nConnection: keep-alive\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                            out.write(answer);
                            out.flush();
                        }
                    }
                }
            } catch (IOException e) {
                // closed
            }
        }

        /** The body of the next request, or null at the end of the connection. */
        private static String readRequest(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                head.write(b);
                byte[] h = head.toByteArray();
                int n = h.length;
                if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                    break;
                }
            }
            if (b < 0) {
                return null;
            }
            int length = 0;
            for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            return new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
