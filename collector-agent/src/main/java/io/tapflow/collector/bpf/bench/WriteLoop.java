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
 * connection to a reader thread of the same process, and prints {@code ns_per_write=<n> cpu_ns_per_write=<n>
 * reads=<n> cpu_ns_per_read=<n>}.
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
            Reader drain = new Reader(server);
            Thread reader = new Thread(drain, "reader");
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
                drain.measuring = true;
                long cpuStart = threads.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                for (int i = 0; i < writes; i++) {
                    buffer.clear();
                    channel.write(buffer);
                }
                long elapsed = System.nanoTime() - start;
                long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
                System.out.print("ns_per_write=" + (double) elapsed / writes + " cpu_ns_per_write="
                        + (double) cpu / writes);
            }
            reader.join();
            System.out.println(" reads=" + drain.reads + " cpu_ns_per_read=" + (double) drain.cpuNs / drain.reads);
        }
    }

    /**
     * Reads and discards until the writer closes; counts its reads and their CPU time from the first read after the
     * measured writes began (each read returns whatever the writes queued meanwhile, so reads differ in size, alike
     * in every phase).
     */
    private static final class Reader implements Runnable {
        private final ServerSocket server;
        volatile boolean measuring;
        long reads;
        long cpuNs;

        Reader(ServerSocket server) {
            this.server = server;
        }

        @Override
        public void run() {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            try (Socket socket = server.accept()) {
                byte[] buffer = new byte[1 << 16];
                long cpuStart = -1;
                while (socket.getInputStream().read(buffer) >= 0) {
                    if (cpuStart >= 0) {
                        reads++;
                    } else if (measuring) {
                        cpuStart = threads.getCurrentThreadCpuTime();
                    }
                }
                cpuNs = cpuStart < 0 ? 0 : threads.getCurrentThreadCpuTime() - cpuStart;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
