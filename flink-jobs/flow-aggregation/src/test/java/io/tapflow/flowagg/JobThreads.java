package io.tapflow.flowagg;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * CPU time of the threads that work for the flow-aggregation job in the bench's JVM, which also runs the Kafka
 * broker, the schema registry and the bench itself. Job threads: Flink task threads (named after their chain, with
 * the subtask suffix " (1/1)#"), the asynchronous checkpoint threads, the Kafka source's fetcher, the job's Kafka
 * producers (transactional ids from the bench's prefix) and the ClickHouse sink's threads. Not counted: the REST and
 * metric threads the bench's own polling keeps busy, and HTTP client threads (shared with the bench's queries).
 */
final class JobThreads {

    private static final String REASSEMBLER = "flow reassembler";
    private static final String TXN_PREFIX = "flowagg_bench";

    private JobThreads() {
    }

    /** What the job's threads used since a {@link #cpuNs()} reading. */
    record Usage(long reassemblerNs, long jobNs, Map<String, Long> byGroupNs, int vanished) {

        String describe() {
            return byGroupNs.entrySet().stream()
                    .map(e -> String.format("%s %.1f", e.getKey(), e.getValue() / 1e9))
                    .collect(Collectors.joining(", "));
        }
    }

    /** CPU time (ns) by thread id of every job thread alive now. */
    static Map<Long, Long> cpuNs() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Long, Long> out = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && group(info.getThreadName()) != null) {
                out.put(info.getThreadId(), Math.max(0, threads.getThreadCpuTime(info.getThreadId())));
            }
        }
        return out;
    }

    /** CPU the job threads alive now used since {@code before}; threads started since count whole. */
    static Usage since(Map<Long, Long> before) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> byGroup = new TreeMap<>();
        long reassembler = 0;
        long job = 0;
        int alive = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            String group = info == null ? null : group(info.getThreadName());
            if (group == null) {
                continue;
            }
            long used = Math.max(0, threads.getThreadCpuTime(info.getThreadId()))
                    - before.getOrDefault(info.getThreadId(), 0L);
            if (before.containsKey(info.getThreadId())) {
                alive++;
            }
            byGroup.merge(group, used, Long::sum);
            job += used;
            if (group.equals(REASSEMBLER)) {
                reassembler += used;
            }
        }
        return new Usage(reassembler, job, byGroup, before.size() - alive);
    }

    /** The group a job thread's CPU is reported under, or null for a thread that is not the job's. */
    private static String group(String name) {
        if (name.startsWith(REASSEMBLER)) {
            return REASSEMBLER;
        }
        if (name.startsWith("Source: raw events") || name.startsWith("Source Data Fetcher for Source: raw events")) {
            return "source+decode";
        }
        if (name.contains(" (1/1)#")) {
            return "metric windows+sinks";
        }
        if (name.startsWith("AsyncOperations")) {
            return "async checkpoints";
        }
        if (name.startsWith("kafka-producer-network-thread | producer-" + TXN_PREFIX)) {
            return "kafka producers";
        }
        if (name.startsWith("clickhouse-sink-")) {
            return "clickhouse sink";
        }
        return null;
    }
}
