package io.tapflow.collector.bpf;

import io.tapflow.collector.source.CaptureFilter;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A {@link CaptureFilter} in the shape of the kernel's filter maps: one entry per port/pid/cgroup with allow and
 * deny bits ({@code TF_FILTER_*}), plus the {@code tf_config} settings whose flags say which lists are non-empty (the
 * programs skip the map lookups of empty lists).
 */
record FilterMaps(
        int[] settings, long[] ports, byte[] portBits, long[] pids, byte[] pidBits, long[] cgroups,
        byte[] cgroupBits) {

    static final byte ALLOW = 0x1;
    static final byte DENY = 0x2;

    static final int CFG_ALLOW_PORTS = 0x1;
    static final int CFG_ALLOW_PIDS = 0x2;
    static final int CFG_ALLOW_CGROUPS = 0x4;
    static final int CFG_DENY_PORTS = 0x8;
    static final int CFG_DENY_PIDS = 0x10;
    static final int CFG_DENY_CGROUPS = 0x20;

    static FilterMaps of(CaptureFilter filter, Duration rttSampleInterval) {
        int flags = (filter.allowPorts().isEmpty() ? 0 : CFG_ALLOW_PORTS)
                | (filter.denyPorts().isEmpty() ? 0 : CFG_DENY_PORTS)
                | (filter.allowPids().isEmpty() ? 0 : CFG_ALLOW_PIDS)
                | (filter.denyPids().isEmpty() ? 0 : CFG_DENY_PIDS)
                | (filter.allowCgroups().isEmpty() ? 0 : CFG_ALLOW_CGROUPS)
                | (filter.denyCgroups().isEmpty() ? 0 : CFG_DENY_CGROUPS);
        int[] settings = {
            filter.payloadBytes(), filter.sampleOneIn(), flags,
            (int) Math.min(Integer.MAX_VALUE, rttSampleInterval.toMillis())
        };
        Map<Long, Byte> ports = bits(widen(filter.allowPorts()), widen(filter.denyPorts()));
        Map<Long, Byte> pids = bits(widen(filter.allowPids()), widen(filter.denyPids()));
        Map<Long, Byte> cgroups = bits(filter.allowCgroups(), filter.denyCgroups());
        return new FilterMaps(
                settings, keys(ports), values(ports), keys(pids), values(pids), keys(cgroups), values(cgroups));
    }

    private static Set<Long> widen(Set<Integer> values) {
        return Set.copyOf(values.stream().map(Integer::longValue).toList());
    }

    private static Map<Long, Byte> bits(Set<Long> allow, Set<Long> deny) {
        Map<Long, Byte> bits = new TreeMap<>();
        allow.forEach(key -> bits.merge(key, ALLOW, (a, b) -> (byte) (a | b)));
        deny.forEach(key -> bits.merge(key, DENY, (a, b) -> (byte) (a | b)));
        return bits;
    }

    private static long[] keys(Map<Long, Byte> bits) {
        return bits.keySet().stream().mapToLong(Long::longValue).toArray();
    }

    private static byte[] values(Map<Long, Byte> bits) {
        byte[] values = new byte[bits.size()];
        int i = 0;
        for (byte value : bits.values()) {
            values[i++] = value;
        }
        return values;
    }
}
