package io.tapflow.collector.bpf;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Child-JVM peer for the loss ITCase, run inside network namespaces:
 * {@code serve <ip> <port>} accepts one connection, reads to the end, prints the byte count;
 * {@code send <ip> <port> <chunks>} writes 64 KiB chunks with a short pause between them (so the transfer spans
 * the time the test takes the link down), then closes.
 */
public final class BulkTransferMain {

    private BulkTransferMain() {}

    public static void main(String[] args) throws Exception {
        InetAddress address = InetAddress.getByName(args[1]);
        int port = Integer.parseInt(args[2]);
        if (args[0].equals("serve")) {
            try (ServerSocket server = new ServerSocket()) {
                server.bind(new InetSocketAddress(address, port));
                System.out.println("ready");
                System.out.flush();
                try (Socket socket = server.accept(); InputStream in = socket.getInputStream()) {
                    long total = 0;
                    byte[] buffer = new byte[65536];
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        total += n;
                    }
                    System.out.println(total);
                }
            }
        } else {
            int chunks = Integer.parseInt(args[3]);
            byte[] chunk = new byte[65536];
            try (Socket socket = new Socket(address, port); OutputStream out = socket.getOutputStream()) {
                for (int i = 0; i < chunks; i++) {
                    out.write(chunk);
                    Thread.sleep(20);
                }
            }
            System.out.println("sent");
        }
    }
}
