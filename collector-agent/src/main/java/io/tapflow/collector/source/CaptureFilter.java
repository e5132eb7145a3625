package io.tapflow.collector.source;

import java.util.Objects;
import java.util.Set;

/**
  * What the collector captures, changeable at run time. Deny lists win over allow lists; an empty allow list
  * allows everything. Ports match either end of a connection. The collector's own process is always excluded,
  * whatever this says.
  *
  * @param payloadBytes bytes of payload copied per syscall (the rest is counted, not copied); 0..{@link
  *     #MAX_PAYLOAD_BYTES}
  * @param sampleOneIn capture one socket in N (by socket id, so a sampled connection is complete); 1 = all
  */
public record CaptureFilter(
        Set<Integer> allowPorts,
        Set<Integer> denyPorts,
        Set<Integer> allowPids,
        Set<Integer> denyPids,
        Set<Long> allowCgroups,
        Set<Long> denyCgroups,
        int payloadBytes,
        int sampleOneIn) {

    public static final int DEFAULT_PAYLOAD_BYTES = 1024;
    public static final int MAX_PAYLOAD_BYTES = 4096;

    public CaptureFilter {
        allowPorts = Set.copyOf(Objects.requireNonNull(allowPorts, "allowPorts"));
        denyPorts = Set.copyOf(Objects.requireNonNull(denyPorts, "denyPorts"));
        allowPids = Set.copyOf(Objects.requireNonNull(allowPids, "allowPids"));
        denyPids = Set.copyOf(Objects.requireNonNull(denyPids, "denyPids"));
        allowCgroups = Set.copyOf(Objects.requireNonNull(allowCgroups, "allowCgroups"));
        denyCgroups = Set.copyOf(Objects.requireNonNull(denyCgroups, "denyCgroups"));
        if (payloadBytes < 0 || payloadBytes > MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException(
                    "payload bytes must be within 0.." + MAX_PAYLOAD_BYTES + ", was " + payloadBytes);
        }
        if (sampleOneIn < 1) {
            throw new IllegalArgumentException("sampling must be 1 in N with N >= 1, was " + sampleOneIn);
        }
        for (int port : allowPorts) checkPort(port);
        for (int port : denyPorts) checkPort(port);
    }

    /** Capture everything, {@value #DEFAULT_PAYLOAD_BYTES} payload bytes per syscall. */
    public static CaptureFilter defaults() {
        return new CaptureFilter(
                Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), DEFAULT_PAYLOAD_BYTES, 1);
    }

    public CaptureFilter withDenyPorts(Set<Integer> ports) {
        return new CaptureFilter(
                allowPorts, ports, allowPids, denyPids, allowCgroups, denyCgroups, payloadBytes, sampleOneIn);
    }

    public CaptureFilter withPayloadBytes(int bytes) {
        return new CaptureFilter(
                allowPorts, denyPorts, allowPids, denyPids, allowCgroups, denyCgroups, bytes, sampleOneIn);
    }

    private static void checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be within 1..65535, was " + port);
        }
    }
}
