package io.tapflow.collector.proc;

import io.tapflow.schema.ProcessInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads one process's facts from a /proc tree: comm, cmdline, exe, ppid, start time and cgroup; and for processes
 * in Kubernetes pods, the pod name (the HOSTNAME the kubelet sets in the container's environment) and namespace (the
 * service-account namespace file, read through /proc/&lt;pid&gt;/root) when those exist — best effort, null
 * otherwise.
 */
public final class ProcReader {

    private static final long NANOS_PER_TICK = 1_000_000_000L / 100; // USER_HZ is 100 on every Linux ABI we run

    private final Path proc;
    private final long bootTimeNs;

    public ProcReader(Path proc) throws IOException {
        this.proc = proc;
        this.bootTimeNs = readBootTimeNs(proc);
    }

    /** Raw stat fields the cache needs on every check: cheap (one small read). */
    public record Stat(int ppid, long startTicks) {}

    /** The stat line of {@code pid}, or null when the process does not exist (any more). */
    public Stat stat(int pid) {
        try {
            return parseStat(Files.readString(proc.resolve(Integer.toString(pid)).resolve("stat")));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static Stat parseStat(String stat) {
        // comm is in parentheses and may contain spaces and ')': the fields start after the LAST ')'
        int close = stat.lastIndexOf(')');
        String[] fields = stat.substring(close + 2).trim().split(" ");
        // fields[0] = state (field 3), fields[1] = ppid (4), fields[19] = starttime (22)
        return new Stat(Integer.parseInt(fields[1]), Long.parseLong(fields[19]));
    }

    public long startTimeNs(Stat stat) {
        return bootTimeNs + stat.startTicks() * NANOS_PER_TICK;
    }

    /** Everything about {@code pid}, or null when it is gone. */
    public ProcessInfo read(int pid, String agentId, String host) {
        Stat stat = stat(pid);
        if (stat == null) {
            return null;
        }
        Path dir = proc.resolve(Integer.toString(pid));
        CgroupInfo cgroup = CgroupInfo.parse(readOr(dir.resolve("cgroup"), ""));
        String podName = null;
        String podNamespace = null;
        if (cgroup.podUid() != null) {
            podName = environ(dir, "HOSTNAME");
            podNamespace = trimToNull(readOr(dir.resolve("root/var/run/secrets/kubernetes.io/serviceaccount/namespace"),
                    null));
        }
        return ProcessInfo.newBuilder()
                .setAgentId(agentId)
                .setHost(host)
                .setPid(pid)
                .setStartTimeNs(startTimeNs(stat))
                .setPpid(stat.ppid())
                .setComm(readOr(dir.resolve("comm"), "").strip())
                .setCmdline(readOr(dir.resolve("cmdline"), "").replace('\0', ' ').strip())
                .setExe(exe(dir))
                .setContainerId(cgroup.containerId())
                .setPodName(podName)
                .setPodNamespace(podNamespace == null || podName == null ? null : podNamespace)
                .setCgroupPath(cgroup.path())
                .setObservedAtNs(System.currentTimeMillis() * 1_000_000L)
                .setExited(false)
                .build();
    }

    private static String exe(Path dir) {
        try {
            return Files.readSymbolicLink(dir.resolve("exe")).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    private static String environ(Path dir, String name) {
        String environ = readOr(dir.resolve("environ"), "");
        for (String entry : environ.split("\0")) {
            if (entry.startsWith(name + "=")) {
                return trimToNull(entry.substring(name.length() + 1));
            }
        }
        return null;
    }

    private static String readOr(Path file, String fallback) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException | SecurityException e) {
            return fallback;
        }
    }

    private static String trimToNull(String text) {
        if (text == null) {
            return null;
        }
        String trimmed = text.strip();
        return trimmed.isEmpty() ? null : trimmed;
    }

    /** Boot time from /proc/stat {@code btime}: a fixed value, so start times derived from it never jitter. */
    private static long readBootTimeNs(Path proc) throws IOException {
        for (String line : Files.readAllLines(proc.resolve("stat"))) {
            if (line.startsWith("btime ")) {
                return Long.parseLong(line.substring(6).trim()) * 1_000_000_000L;
            }
        }
        throw new IOException("no btime line in " + proc.resolve("stat"));
    }
}
