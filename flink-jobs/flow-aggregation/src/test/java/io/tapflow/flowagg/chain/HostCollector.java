package io.tapflow.flowagg.chain;

import io.tapflow.collector.bpf.BpfEventSource;
import io.tapflow.collector.bpf.BpfSettings;
import io.tapflow.collector.source.AgentIdentity;
import io.tapflow.collector.source.CaptureFilter;
import io.tapflow.collector.source.RawEventSink;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * The collector of one test host: its own eBPF programs and maps ({@link BpfEventSource#open} loads a fresh BPF
 * object each time, so two instances share no filter, thread or socket state), an agent identity of its own, a pid
 * allow-list of the processes started in that host, and a thread that polls it as a collector's main loop would.
 * Starts capturing nothing (an impossible pid) until {@link #capture} names the host's processes.
 */
public final class HostCollector implements AutoCloseable {

    private final String agentId;
    private final BpfEventSource source;
    private final List<SpecificRecordBase> events = new ArrayList<>();
    private final Thread poller;
    private volatile boolean running = true;
    private volatile Exception failure;

    private HostCollector(String agentId, BpfEventSource source) {
        this.agentId = agentId;
        this.source = source;
        this.poller = new Thread(this::pollLoop, "collector-" + agentId);
        poller.setDaemon(true);
        poller.start();
    }

    public static HostCollector open(String agentId) throws IOException {
        BpfEventSource source = BpfEventSource.open(new AgentIdentity(agentId, agentId), onlyPids(Set.of(
                Integer.MAX_VALUE)), BpfSettings.defaults().withPollTimeout(Duration.ofMillis(50)));
        return new HostCollector(agentId, source);
    }

    public String agentId() {
        return agentId;
    }

    /** From now on captures the calls of exactly these processes. */
    public void capture(Set<Integer> pids) throws IOException {
        source.updateFilter(onlyPids(pids));
    }

    /** Stops polling after draining what the kernel queued, and returns the events captured. */
    public List<SpecificRecordBase> stop() throws Exception {
        running = false;
        poller.join(TimeUnit.SECONDS.toMillis(10));
        if (failure != null) {
            throw failure;
        }
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    public long kernelDrops() {
        return source.sourceDrops();
    }

    private void pollLoop() {
        RawEventSink sink = RawEventSink.of(this::add);
        try {
            while (running) {
                source.poll(sink, Duration.ofMillis(50));
            }
            // what was queued before stop: poll until a poll brings nothing
            while (source.poll(sink, Duration.ofMillis(100)) > 0) {
                // keep draining
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
    }

    private void add(SpecificRecordBase event) {
        synchronized (events) {
            events.add(event);
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            poller.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        source.close();
    }

    private static CaptureFilter onlyPids(Set<Integer> pids) {
        return new CaptureFilter(Set.of(), Set.of(), pids, Set.of(), Set.of(), Set.of(),
                CaptureFilter.DEFAULT_PAYLOAD_BYTES, 1);
    }
}
