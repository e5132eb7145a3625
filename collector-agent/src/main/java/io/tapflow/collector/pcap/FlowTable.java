package io.tapflow.collector.pcap;

import io.tapflow.collector.source.AddressText;
import io.tapflow.collector.source.CaptureFilter;
import io.tapflow.schema.L4Protocol;
import io.tapflow.schema.Role;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP connections and UDP flows of one replay pass, keyed by their unordered 4-tuple, in least-recently-active
 * order so the table stays within {@link ReplayOptions#maxFlows()}. Decides who is client and server:
 * <ul>
 *   <li>TCP: the SYN sender (or the SYN-ACK receiver). Without a captured handshake: the end with a well-known port
 *       (&lt; 1024, when the other has none) is the server, otherwise the end with the lower port — counted in
 *       {@code tcp_connections_without_handshake} and logged once.</li>
 *   <li>UDP: the well-known-port rule, otherwise the sender of the first datagram is the client.</li>
 * </ul>
 * A TCP connection is created only by a SYN, a SYN-ACK or a segment with data: stray ACKs, FINs and RSTs after a
 * connection ended do not resurrect it.
 */
final class FlowTable {

    private static final Logger LOG = LoggerFactory.getLogger(FlowTable.class);

    /** The unordered 4-tuple: (a, aPort) is the lexicographically smaller end. */
    private record FlowKey(int protocol, String a, int aPort, String b, int bPort) {}

    /**
     * How often (capture time) finished calls are looked for in every connection: a call is emitted at most this
     * much after its last byte, far inside any watermark's out-of-orderness, at one pass over the flows per period.
     */
    private static final long SWEEP_NS = 10_000_000L;

    /** A flow the capture filter excluded: remembered so its packets are skipped cheaply. */
    private static final Object FILTERED = new Object();

    private final ReplayEmitter emitter;
    private final ReplayCounters counters;
    private final ReplayOptions options;
    private final int loop;
    private final LinkedHashMap<FlowKey, Object> flows = new LinkedHashMap<>(1024, 0.75f, true);
    private boolean loggedMissingHandshake;
    private long lastSweepNs = Long.MIN_VALUE;

    FlowTable(ReplayEmitter emitter, ReplayCounters counters, ReplayOptions options, int loop) {
        this.emitter = emitter;
        this.counters = counters;
        this.options = options;
        this.loop = loop;
    }

    void handle(DecodedPacket packet) {
        String source = AddressText.format(packet.sourceAddress);
        String destination = AddressText.format(packet.destinationAddress);
        int order = compare(source, packet.sourcePort, destination, packet.destinationPort);
        FlowKey key = order <= 0
                ? new FlowKey(packet.protocol, source, packet.sourcePort, destination, packet.destinationPort)
                : new FlowKey(packet.protocol, destination, packet.destinationPort, source, packet.sourcePort);
        Object flow = flows.get(key);
        if (packet.protocol == DecodedPacket.TCP) {
            tcp(key, flow, packet, source, destination);
        } else {
            udp(key, flow, packet, source, destination);
        }
        if (lastSweepNs == Long.MIN_VALUE || packet.timestampNs - lastSweepNs > SWEEP_NS) {
            for (Object f : flows.values()) {
                if (f instanceof TcpConnection connection) {
                    connection.flushIdleCalls(packet.timestampNs);
                }
            }
            lastSweepNs = packet.timestampNs;
        }
    }

    /** Ends every flow (end of the pass): what is coalescing or held is emitted. */
    void finishAll() {
        for (Object flow : flows.values()) {
            if (flow instanceof TcpConnection connection) {
                connection.finish();
            }
        }
        flows.clear();
    }

    int size() {
        return flows.size();
    }

    private void tcp(FlowKey key, Object flow, DecodedPacket packet, String source, String destination) {
        boolean syn = packet.has(DecodedPacket.SYN);
        boolean ack = packet.has(DecodedPacket.ACK);
        if (flow instanceof TcpConnection connection && syn && !ack && !connection.isSynOf(packet.seq)) {
            connection.finish(); // the 4-tuple is reused by a new connection
            flows.remove(key);
            flow = null;
        }
        if (flow == FILTERED && syn && !ack) {
            flows.remove(key); // a new connection on the same 4-tuple gets its own filter decision
            flow = null;
        }
        if (flow == null) {
            if (!syn && packet.payloadLength == 0) {
                return;
            }
            boolean handshake = syn;
            boolean sourceIsClient = syn ? !ack : !serverIsFirst(packet.sourcePort, packet.destinationPort);
            if (!handshake) {
                counters.increment(ReplayCounter.TCP_CONNECTIONS_WITHOUT_HANDSHAKE);
                if (!loggedMissingHandshake) {
                    loggedMissingHandshake = true;
                    LOG.info("replay: a TCP connection without a captured handshake ({}:{} <-> {}:{}): the well-known"
                                    + " or lower port is taken as the server (counter tcp_connections_without_handshake)",
                            source, packet.sourcePort, destination, packet.destinationPort);
                }
            }
            // the anchor that tells reuses of a 4-tuple apart: the client's ISN when the handshake is there
            long anchor = syn ? (ack ? (packet.ack - 1) & 0xFFFFFFFFL : packet.seq) : packet.seq;
            flow = open(key, L4Protocol.TCP, packet, source, destination, sourceIsClient, anchor, handshake);
        }
        if (flow instanceof TcpConnection connection) {
            connection.handle(packet, connection.isClient(source, packet.sourcePort));
            if (connection.closed()) {
                flows.remove(key);
            }
        }
    }

    private void udp(FlowKey key, Object flow, DecodedPacket packet, String source, String destination) {
        if (flow == null) {
            boolean sourceIsClient = !wellKnown(packet.sourcePort) || wellKnown(packet.destinationPort);
            flow = open(key, L4Protocol.UDP, packet, source, destination, sourceIsClient, 0, true);
        }
        if (flow instanceof UdpFlow udpFlow) {
            udpFlow.handle(packet, udpFlow.isClient(source, packet.sourcePort));
        }
    }

    private Object open(FlowKey key, L4Protocol protocol, DecodedPacket packet, String source, String destination,
                        boolean sourceIsClient, long anchor, boolean handshake) {
        String clientIp = sourceIsClient ? source : destination;
        int clientPort = sourceIsClient ? packet.sourcePort : packet.destinationPort;
        String serverIp = sourceIsClient ? destination : source;
        int serverPort = sourceIsClient ? packet.destinationPort : packet.sourcePort;
        String transport = protocol == L4Protocol.TCP ? "tcp" : "udp";
        long clientId = SocketIds.of(transport, clientIp, clientPort, serverIp, serverPort, anchor, "CLIENT", loop);
        long serverId = SocketIds.of(transport, clientIp, clientPort, serverIp, serverPort, anchor, "SERVER", loop);
        evictIfFull();
        if (!accepted(emitter.filter(), clientPort, serverPort, clientId)) {
            counters.increment(ReplayCounter.FILTERED_FLOWS);
            flows.put(key, FILTERED);
            return FILTERED;
        }
        ReplaySocket client = new ReplaySocket(clientId, Role.CLIENT, packet.ipv6, protocol, clientIp, clientPort,
                serverIp, serverPort);
        ReplaySocket server = new ReplaySocket(serverId, Role.SERVER, packet.ipv6, protocol, serverIp, serverPort,
                clientIp, clientPort);
        Object flow;
        if (protocol == L4Protocol.TCP) {
            counters.increment(ReplayCounter.TCP_CONNECTIONS);
            flow = new TcpConnection(client, server, handshake, emitter, counters, options);
        } else {
            counters.increment(ReplayCounter.UDP_FLOWS);
            flow = new UdpFlow(client, server, emitter);
        }
        flows.put(key, flow);
        return flow;
    }

    private void evictIfFull() {
        if (flows.size() < options.maxFlows()) {
            return;
        }
        Iterator<Map.Entry<FlowKey, Object>> eldest = flows.entrySet().iterator();
        Object flow = eldest.next().getValue();
        eldest.remove();
        if (flow instanceof TcpConnection connection) {
            connection.finish();
        }
        counters.increment(ReplayCounter.EVICTED_FLOWS);
    }

    static boolean accepted(CaptureFilter filter, int clientPort, int serverPort, long clientSocketId) {
        if (filter.denyPorts().contains(clientPort) || filter.denyPorts().contains(serverPort)) {
            return false;
        }
        if (!filter.allowPorts().isEmpty()
                && !filter.allowPorts().contains(clientPort) && !filter.allowPorts().contains(serverPort)) {
            return false;
        }
        return filter.sampleOneIn() == 1 || Long.remainderUnsigned(clientSocketId, filter.sampleOneIn()) == 0;
    }

    /** The port rule for connections without a handshake: is the first port the server's? */
    static boolean serverIsFirst(int firstPort, int secondPort) {
        if (wellKnown(firstPort) != wellKnown(secondPort)) {
            return wellKnown(firstPort);
        }
        return firstPort < secondPort;
    }

    private static boolean wellKnown(int port) {
        return port > 0 && port < 1024;
    }

    private static int compare(String ipA, int portA, String ipB, int portB) {
        int byIp = ipA.compareTo(ipB);
        return byIp != 0 ? byIp : Integer.compare(portA, portB);
    }
}
