package io.tapflow.collector.bpf;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The natives of {@code libtapflow_collector.so} (src/main/native), in the netty {@code Native} style: private
 * {@code xxx0} natives returning {@code -errno}, public wrappers that throw {@link IOException} naming the errno and
 * the step that failed. Never a call per event: {@link #drain} copies many ring-buffer records per call.
 */
public final class BpfNative {

    static {
        NativeLibrary.load();
    }

    private BpfNative() {}

    /** The sizes and offsets libtapflow_collector.so was compiled with, in {@link EventLayout.Field} order. */
    public static int[] layout() {
        int[] values = new int[EventLayout.Field.values().length + 16];
        int count = layout0(values);
        if (count < 0) {
            throw new IllegalStateException("native layout export failed: " + errnoName0(-count));
        }
        return java.util.Arrays.copyOf(values, count);
    }

    /**
     * Loads and attaches the eBPF programs (tracepoints only). Returns the native handle; {@code info[0]} receives
     * what the loader probed or skipped (for the log).
     */
    static long open(long ringBufferBytes, long wakeupBytes, long idBase, boolean dispatchOnly, String[] info)
            throws IOException {
        String[] message = new String[1];
        long handle = open0(ringBufferBytes, wakeupBytes, idBase, dispatchOnly, message);
        if (handle < 0) {
            throw new IOException(
                    "eBPF collector: " + message[0] + " failed: " + errnoName0((int) -handle)
                            + " (needs root, BTF at /sys/kernel/btf/vmlinux and tracefs)");
        }
        info[0] = message[0];
        return handle;
    }

    /** Copies whole records into {@code buffer} (from 0), waiting up to {@code timeoutMs} for the first one. */
    static int drain(long handle, ByteBuffer buffer, int timeoutMs) throws IOException {
        int written = drain0(handle, buffer, buffer.capacity(), timeoutMs);
        if (written < 0) {
            throw new IOException("eBPF collector: reading the ring buffer failed: " + errnoName0(-written));
        }
        return written;
    }

    /** The kernel counters summed over CPUs, indexed by {@link KernelCounter#index()}. */
    static long[] counters(long handle) throws IOException {
        long[] values = new long[EventLayout.COUNTER_SLOTS];
        int rc = counters0(handle, values);
        if (rc < 0) {
            throw new IOException("eBPF collector: reading the kernel counters failed: " + errnoName0(-rc));
        }
        return values;
    }

    /** Writes the run-time settings and filter maps (see {@link FilterMaps}). */
    static void configure(long handle, FilterMaps maps) throws IOException {
        int rc = configure0(
                handle, maps.settings(), maps.ports(), maps.portBits(), maps.pids(), maps.pidBits(), maps.cgroups(),
                maps.cgroupBits());
        if (rc < 0) {
            throw new IOException("eBPF collector: updating the capture filter maps failed: " + errnoName0(-rc));
        }
    }

    static void close(long handle) {
        close0(handle);
    }

    private static native int layout0(int[] out);

    private static native String errnoName0(int errno);

    private static native long open0(
            long ringBufferBytes, long wakeupBytes, long idBase, boolean dispatchOnly, String[] message);

    private static native int drain0(long handle, ByteBuffer buffer, int capacity, int timeoutMs);

    private static native int counters0(long handle, long[] out);

    private static native int configure0(
            long handle, int[] settings, long[] ports, byte[] portBits, long[] pids, byte[] pidBits, long[] cgroups,
            byte[] cgroupBits);

    private static native void close0(long handle);
}
