package io.tapflow.collector.proc;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a process's cgroup path says about its container: the path itself, the container id, and the Kubernetes
 * pod uid when the path is under a kubepods hierarchy. Understands the naming of the common runtimes and cgroup
 * drivers:
 * <ul>
 *   <li>systemd driver: {@code .../docker-<id>.scope}, {@code cri-containerd-<id>.scope}, {@code crio-<id>.scope},
 *       {@code libpod-<id>.scope} (podman); pods as {@code kubepods-<qos>-pod<uid with _>.slice}</li>
 *   <li>cgroupfs driver: {@code /docker/<id>}, {@code /kubepods/<qos>/pod<uid>/<id>}, {@code /libpod_parent/...}</li>
 * </ul>
 * Conmon/infra helper scopes ({@code crio-conmon-<id>.scope}) are not containers.
 *
 * @param path the cgroup v2 path (the {@code 0::} line), or the first line's path on cgroup v1; null if none
 * @param containerId 64 hex characters (or the runtime's id), null outside containers
 * @param podUid Kubernetes pod uid (dashes), null outside Kubernetes
 */
public record CgroupInfo(String path, String containerId, String podUid) {

    private static final Pattern SCOPE = Pattern.compile(
            "^(?:docker|cri-containerd|crio|libpod|containerd|cri-o)-([0-9a-f]{64})\\.scope$");
    private static final Pattern BARE_ID = Pattern.compile("^([0-9a-f]{64})$");
    private static final Pattern POD = Pattern.compile(
            "pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(?:\\.slice)?$");

    /** Parses the content of /proc/&lt;pid&gt;/cgroup. */
    public static CgroupInfo parse(String cgroupFile) {
        String path = null;
        List<String> lines = cgroupFile.lines().filter(l -> !l.isBlank()).toList();
        for (String line : lines) {
            if (line.startsWith("0::")) {
                path = line.substring(3);
            }
        }
        if (path == null) {
            // cgroup v1: the hierarchies agree on the container's path; prefer one that names a container
            for (String line : lines) {
                int colon = line.indexOf(':', line.indexOf(':') + 1);
                String candidate = colon < 0 ? null : line.substring(colon + 1);
                if (candidate != null && (path == null || containerIdIn(candidate) != null)) {
                    path = candidate;
                    if (containerIdIn(candidate) != null) {
                        break;
                    }
                }
            }
        }
        if (path == null) {
            return new CgroupInfo(null, null, null);
        }
        return new CgroupInfo(path, containerIdIn(path), podUidIn(path));
    }

    static String containerIdIn(String path) {
        String[] segments = path.split("/");
        for (int i = segments.length - 1; i >= 0; i--) {
            Matcher scope = SCOPE.matcher(segments[i]);
            if (scope.matches()) {
                return scope.group(1);
            }
            Matcher bare = BARE_ID.matcher(segments[i]);
            if (bare.matches()) {
                return bare.group(1);
            }
        }
        return null;
    }

    static String podUidIn(String path) {
        if (!path.contains("kubepods")) {
            return null;
        }
        for (String segment : path.split("/")) {
            Matcher pod = POD.matcher(segment);
            if (pod.find()) {
                return pod.group(1).replace('_', '-');
            }
        }
        return null;
    }
}
