package io.tapflow.collector.proc;

import io.tapflow.schema.ProcessInfo;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Process enrichment with a bounded cache keyed by pid and identified by the process start time (a reused pid is
 * a new process). On first sight of a (pid, start) it reads /proc and emits a ProcessInfo; {@link #sweep} emits a
 * final ProcessInfo with {@code exited = true} for cached processes that are gone (or whose pid now belongs to
 * another process). Entries are re-validated against /proc/&lt;pid&gt;/stat at most every {@code revalidateNanos},
 * so a hot pid costs a map lookup, not a file read, per event. Polling thread only.
 */
public final class ProcessEnricher {

    private record Entry(long startTicks, ProcessInfo info, long checkedNanos) {}

    private final ProcReader reader;
    private final String agentId;
    private final String host;
    private final int capacity;
    private final long revalidateNanos;
    private final LinkedHashMap<Integer, Entry> cache;
    private long emitted;
    private long exits;

    public ProcessEnricher(ProcReader reader, String agentId, String host, int capacity, long revalidateNanos) {
        this.reader = reader;
        this.agentId = agentId;
        this.host = host;
        this.capacity = capacity;
        this.revalidateNanos = revalidateNanos;
        this.cache = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true);
    }

    /**
     * The container id of {@code pid} (null outside containers, for pid 0 and for processes already gone); emits a
     * ProcessInfo to {@code emit} the first time this process instance is seen.
     */
    public String containerId(int pid, Consumer<ProcessInfo> emit) {
        if (pid <= 0) {
            return null;
        }
        long now = System.nanoTime();
        Entry entry = cache.get(pid);
        if (entry != null && now - entry.checkedNanos() < revalidateNanos) {
            return entry.info().getContainerId();
        }
        ProcReader.Stat stat = reader.stat(pid);
        if (stat == null) {
            return entry == null ? null : entry.info().getContainerId();
        }
        if (entry != null && entry.startTicks() == stat.startTicks()) {
            cache.put(pid, new Entry(entry.startTicks(), entry.info(), now));
            return entry.info().getContainerId();
        }
        if (entry != null) {
            exited(entry, emit); // the pid was reused: the cached process is gone
        }
        ProcessInfo info = reader.read(pid, agentId, host);
        if (info == null) {
            cache.remove(pid);
            return null;
        }
        if (cache.size() >= capacity && !cache.containsKey(pid)) {
            Iterator<Map.Entry<Integer, Entry>> eldest = cache.entrySet().iterator();
            eldest.next();
            eldest.remove(); // forgotten, not exited: if it shows up again it is announced again (compacted topic)
        }
        cache.put(pid, new Entry(stat.startTicks(), info, now));
        emitted++;
        emit.accept(info);
        return info.getContainerId();
    }

    /** Emits {@code exited = true} for every cached process that is gone. */
    public void sweep(Consumer<ProcessInfo> emit) {
        List<Integer> gone = new ArrayList<>();
        for (Map.Entry<Integer, Entry> e : cache.entrySet()) {
            ProcReader.Stat stat = reader.stat(e.getKey());
            if (stat == null || stat.startTicks() != e.getValue().startTicks()) {
                gone.add(e.getKey());
            }
        }
        for (int pid : gone) {
            exited(cache.remove(pid), emit);
        }
    }

    public int size() {
        return cache.size();
    }

    public long emitted() {
        return emitted;
    }

    public long exits() {
        return exits;
    }

    private void exited(Entry entry, Consumer<ProcessInfo> emit) {
        exits++;
        ProcessInfo last = ProcessInfo.newBuilder(entry.info())
                .setExited(true)
                .setObservedAtNs(System.currentTimeMillis() * 1_000_000L)
                .build();
        emit.accept(last);
    }
}
