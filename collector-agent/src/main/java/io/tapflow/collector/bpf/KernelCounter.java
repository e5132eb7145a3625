package io.tapflow.collector.bpf;

/** The per-CPU counters the eBPF programs keep ({@code TF_CNT_*} in events.h), summed over CPUs when read. */
public enum KernelCounter {
    /** Events lost because the ring buffer had no room (the reader fell behind). A drop. */
    DROP_RINGBUF_FULL(0, true),
    /** Events written to the ring buffer. */
    EVENTS(1, false),
    /** User buffers that could not be read: the event was kept with a short payload. */
    PAYLOAD_FAULT(2, false),
    /**
     * Socket syscalls skipped by request, not a drop: by the port/cgroup filters at entry, or by socket sampling for
     * calls that moved bytes. Calls of pid-filtered processes are not counted: they are turned away before the fd is
     * known to be a socket.
     */
    FILTERED(3, false),
    /** tcp_probe samples skipped by the per-socket RTT rate limit. */
    RTT_SUPPRESSED(4, false);

    private final int index;
    private final boolean drop;

    KernelCounter(int index, boolean drop) {
        this.index = index;
        this.drop = drop;
    }

    public int index() {
        return index;
    }

    /** True for counters of events that were lost rather than skipped on purpose. */
    public boolean isDrop() {
        return drop;
    }
}
