package io.tapflow.collector.pcap;

import io.tapflow.schema.IpFamily;
import io.tapflow.schema.L4Protocol;
import io.tapflow.schema.Role;

/**
 * One of the two sockets of a replayed connection, from its own process's point of view, with the per-direction
 * byte offsets that become {@code data_seq}.
 */
final class ReplaySocket {

    final long socketId;
    final Role role;
    final IpFamily family;
    final L4Protocol protocol;
    final String localIp;
    final int localPort;
    final String remoteIp;
    final int remotePort;
    /** Bytes sent (egress) and received (ingress) so far: the next event's data_seq per direction. */
    long egressBytes;
    long ingressBytes;
    long retransmits;

    ReplaySocket(long socketId, Role role, boolean ipv6, L4Protocol protocol, String localIp, int localPort,
                 String remoteIp, int remotePort) {
        this.socketId = socketId;
        this.role = role;
        this.family = ipv6 ? IpFamily.IPV6 : IpFamily.IPV4;
        this.protocol = protocol;
        this.localIp = localIp;
        this.localPort = localPort;
        this.remoteIp = remoteIp;
        this.remotePort = remotePort;
    }
}
