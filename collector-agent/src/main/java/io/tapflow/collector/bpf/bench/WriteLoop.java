package io.tapflow.collector.bpf.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The traced workload of {@link SyscallOverheadBench}, run as a child process (the collector never traces its own
 * process): {@code <port> <writes> <bytes>} writes {@code writes} times {@code bytes} bytes over a loopback TCP
 * connection to a reader thread of the same process, and prints {@code ns_per_write=<n> cpu_ns_per_write=<n>}.
 * The CPU time is the writing thread's own (user + system): unlike wall time it leaves out the time the thread
 * spends descheduled, which on a shared 2-vCPU host swings by microseconds per write between runs.
 */
public final class WriteLoop {

    private WriteLoop() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int writes = Integer.parseInt(args[1]);
        int size = Integer.parseInt(args[2]);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(loopback, port));
            Thread reader = new Thread(() -> drain(server), "reader");
            reader.start();
            try (SocketChannel channel = SocketChannel.open(new InetSocketAddress(loopback, port))) {
                ByteBuffer buffer = ByteBuffer.allocateDirect(size);
                // warm-up: JIT and socket buffers, not measured
                for (int i = 0; i < Math.min(writes, 50_000); i++) {
                    buffer.clear();
                    channel.write(buffer);
                }
                ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                if (!threads.isCurrentThreadCpuTimeSupported()) {
                    throw new IllegalStateException("this JVM cannot measure thread CPU time");
                }
                long cpuStart = threads.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                for (int i = 0; i < writes; i++) {
                    buffer.clear();
                    channel.write(buffer);
                }
                long elapsed = System.nanoTime() - start;
                long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
                System.out.println("ns_per_write=" + (double) elapsed / writes + " cpu_ns_per_write="
                        + (double) cpu / writes);
            }
            reader.join();
        }
    }

    private static void drain(ServerSocket server) {
        try (Socket socket = server.accept()) {
            byte[] buffer = new byte[1 << 16];
            while (socket.getInputStream().read(buffer) >= 0) {
                // discard
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
