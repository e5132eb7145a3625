package io.tapflow.collector.bpf;

import java.time.Duration;
import java.util.Objects;

/**
 * How the eBPF source runs (fixed at open; the capture filter is what changes at run time).
 *
 * @param ringBufferBytes kernel ring buffer size, a power of two (events are lost, and counted, when it is full)
 * @param wakeupBatchBytes the reader is woken only when this many bytes are queued; waking per record costs more
 *     than the capture itself in a VM
 * @param pollTimeout the longest a poll waits; with batched wakeups this bounds the delivery latency of a quiet host
 * @param drainBufferBytes the direct buffer one drain call fills (many records per JNI call)
 * @param rttSampleInterval at most one RTT sample per socket per interval
 * @param dispatchOnly every program returns at once, capturing nothing: the same tracepoints attached with none of
 *     our work, which is what the kernel's dispatch costs a traced call (SyscallOverheadBench's floor); never in
 *     the agent
 */
public record BpfSettings(
        long ringBufferBytes, long wakeupBatchBytes, Duration pollTimeout, int drainBufferBytes,
        Duration rttSampleInterval, boolean dispatchOnly) {

    public static final long DEFAULT_RING_BUFFER_BYTES = 16L << 20;
    public static final long DEFAULT_WAKEUP_BATCH_BYTES = 256L << 10;
    public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(100);
    public static final int DEFAULT_DRAIN_BUFFER_BYTES = 4 << 20;
    public static final Duration DEFAULT_RTT_SAMPLE_INTERVAL = Duration.ofSeconds(1);

    /** The smallest drain buffer: one maximal data record must fit. */
    static final int MIN_DRAIN_BUFFER_BYTES =
            EventLayout.RECORD_PREFIX + EventLayout.DATA_SIZE + EventLayout.MAX_PAYLOAD;

    public BpfSettings {
        Objects.requireNonNull(pollTimeout, "pollTimeout");
        Objects.requireNonNull(rttSampleInterval, "rttSampleInterval");
        if (ringBufferBytes < 4096 || Long.bitCount(ringBufferBytes) != 1 || ringBufferBytes > (1L << 30)) {
            throw new IllegalArgumentException(
                    "ring buffer size must be a power of two within 4 KiB..1 GiB, was " + ringBufferBytes);
        }
        if (wakeupBatchBytes < 0 || wakeupBatchBytes >= ringBufferBytes) {
            throw new IllegalArgumentException(
                    "wakeup batch must be within 0..ring buffer size, was " + wakeupBatchBytes);
        }
        if (pollTimeout.isNegative() || pollTimeout.isZero()) {
            throw new IllegalArgumentException("poll timeout must be positive, was " + pollTimeout);
        }
        if (drainBufferBytes < MIN_DRAIN_BUFFER_BYTES) {
            throw new IllegalArgumentException(
                    "drain buffer must hold one full record (" + MIN_DRAIN_BUFFER_BYTES + " bytes), was "
                            + drainBufferBytes);
        }
        if (rttSampleInterval.isNegative()) {
            throw new IllegalArgumentException("RTT sample interval must not be negative");
        }
    }

    public static BpfSettings defaults() {
        return new BpfSettings(
                DEFAULT_RING_BUFFER_BYTES, DEFAULT_WAKEUP_BATCH_BYTES, DEFAULT_POLL_TIMEOUT,
                DEFAULT_DRAIN_BUFFER_BYTES, DEFAULT_RTT_SAMPLE_INTERVAL, false);
    }

    public BpfSettings withWakeupBatchBytes(long bytes) {
        return new BpfSettings(
                ringBufferBytes, bytes, pollTimeout, drainBufferBytes, rttSampleInterval, dispatchOnly);
    }

    public BpfSettings withPollTimeout(Duration timeout) {
        return new BpfSettings(
                ringBufferBytes, wakeupBatchBytes, timeout, drainBufferBytes, rttSampleInterval, dispatchOnly);
    }

    public BpfSettings withRttSampleInterval(Duration interval) {
        return new BpfSettings(
                ringBufferBytes, wakeupBatchBytes, pollTimeout, drainBufferBytes, interval, dispatchOnly);
    }

    public BpfSettings withDispatchOnly(boolean on) {
        return new BpfSettings(
                ringBufferBytes, wakeupBatchBytes, pollTimeout, drainBufferBytes, rttSampleInterval, on);
    }
}
