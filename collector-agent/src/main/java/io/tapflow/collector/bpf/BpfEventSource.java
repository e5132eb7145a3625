package io.tapflow.collector.bpf;

import io.tapflow.collector.source.AgentIdentity;
import io.tapflow.collector.source.CaptureFilter;
import io.tapflow.collector.source.RawEventSink;
import io.tapflow.collector.source.RawEventSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live source: this host's socket syscalls and TCP events from the eBPF programs of {@code bpf/}. One thread
 * polls ({@link #poll}); {@link #updateFilter} may be called from any thread, concurrently with a poll, and takes effect
 * in the kernel at once.
 * The collector's own process is excluded in the kernel before anything else.
 */
public final class BpfEventSource implements RawEventSource {

    private static final Logger LOG = LoggerFactory.getLogger(BpfEventSource.class);
    private static final long CLOCK_REFRESH_NS = Duration.ofSeconds(30).toNanos();

    private final BpfSettings settings;
    private final ByteBuffer drainBuffer;
    private final BootClock clock = new BootClock();
    private final EventDecoder decoder;
    /** Poll, filter updates and counter reads share the handle (read lock); close frees it (write lock). */
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final Object pollLock = new Object();
    private volatile long handle;
    private long lastClockRefresh = System.nanoTime();

    private BpfEventSource(AgentIdentity identity, BpfSettings settings, long handle) {
        this.settings = settings;
        this.handle = handle;
        this.drainBuffer = ByteBuffer.allocateDirect(settings.drainBufferBytes()).order(ByteOrder.nativeOrder());
        this.decoder = new EventDecoder(identity, clock::wallNs);
    }

    /**
     * Loads and attaches the probes and applies {@code filter}. Fails with a message naming the step and errno when
     * the kernel refuses (not root, no BTF, ...), and refuses to start when the native layout differs from the
     * decoder's.
     */
    public static BpfEventSource open(AgentIdentity identity, CaptureFilter filter, BpfSettings settings)
            throws IOException {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(settings, "settings");
        EventLayout.verify(BpfNative.layout());
        // ids of two agent runs must not collide: the start time (s) in the high half, a counter in the low half
        long idBase = (System.currentTimeMillis() / 1000) << 32;
        String[] info = new String[1];
        long handle = BpfNative.open(
                settings.ringBufferBytes(), settings.wakeupBatchBytes(), idBase, settings.dispatchOnly(), info);
        BpfEventSource source = new BpfEventSource(identity, settings, handle);
        try {
            source.updateFilter(filter);
        } catch (IOException | RuntimeException e) {
            source.close();
            throw e;
        }
        if (info[0] != null && !info[0].isEmpty()) {
            LOG.info("eBPF probes attached: {}", info[0]);
        } else {
            LOG.info("eBPF probes attached");
        }
        return source;
    }

    @Override
    public int poll(RawEventSink sink, Duration timeout) throws IOException {
        lifecycle.readLock().lock();
        try {
            synchronized (pollLock) {
                return drainInto(sink, timeout);
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private int drainInto(RawEventSink sink, Duration timeout) throws IOException {
        long current = requireOpen();
        refreshClockIfDue();
        // batched wakeups: nothing may wake us before the timeout, so never wait longer than the backstop
        long waitMs = Math.min(timeout.toMillis(), settings.pollTimeout().toMillis());
        int delivered = 0;
        int written = BpfNative.drain(current, drainBuffer, (int) Math.max(0, waitMs));
        while (written > 0) {
            delivered += decoder.decode(drainBuffer, written, sink);
            if (written < drainBuffer.capacity() - BpfSettings.MIN_DRAIN_BUFFER_BYTES) {
                break; // the ring is (nearly) empty; the next poll picks up the rest
            }
            written = BpfNative.drain(current, drainBuffer, 0);
        }
        return delivered;
    }

    @Override
    public void updateFilter(CaptureFilter filter) throws IOException {
        lifecycle.readLock().lock();
        try {
            BpfNative.configure(requireOpen(), FilterMaps.of(filter, settings.rttSampleInterval()));
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Events the kernel could not queue (ring buffer full). */
    @Override
    public long sourceDrops() {
        try {
            return kernelCounters().get(KernelCounter.DROP_RINGBUF_FULL);
        } catch (IOException e) {
            return 0;
        }
    }

    /** All kernel counters, summed over CPUs. */
    public Map<KernelCounter, Long> kernelCounters() throws IOException {
        long[] values;
        lifecycle.readLock().lock();
        try {
            values = BpfNative.counters(requireOpen());
        } finally {
            lifecycle.readLock().unlock();
        }
        Map<KernelCounter, Long> counters = new EnumMap<>(KernelCounter.class);
        for (KernelCounter counter : KernelCounter.values()) {
            counters.put(counter, values[counter.index()]);
        }
        return counters;
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (handle != 0) {
                BpfNative.close(handle);
                handle = 0;
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    private long requireOpen() throws IOException {
        if (handle == 0) {
            throw new IOException("eBPF source is closed");
        }
        return handle;
    }

    private void refreshClockIfDue() {
        long now = System.nanoTime();
        if (now - lastClockRefresh > CLOCK_REFRESH_NS) {
            clock.refresh();
            lastClockRefresh = now;
        }
    }
}
