package io.tapflow.protocols.testing;

import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.Segment;
import io.tapflow.protocols.testing.PcapReader.Packet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A golden capture split into its connections: each TCP connection (a new SYN starts a new one) or UDP
 * conversation, with its payload-carrying packets as {@link Segment}s in capture order. The client is the SYN
 * sender; without a SYN (UDP, or a capture that began mid-connection) the sender of the first packet.
 */
public final class Capture {

    /** One side of a connection. */
    public record Endpoint(String ip, int port) {
        @Override
        public String toString() {
            return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
        }
    }

    /** A segment and the way it travelled. */
    public record DirectedSegment(FlowDirection direction, Segment segment) {
    }

    /**
     * One connection of the capture.
     *
     * @param seqBase first TCP sequence number of each direction's payload (index = direction ordinal), so
     *                renderings show sequence numbers relative to the stream start
     */
    public record Connection(int index, boolean tcp, Endpoint client, Endpoint server, long startNs,
                             long[] seqBase, List<DirectedSegment> segments) {

        public String describe() {
            return (tcp ? "tcp " : "udp ") + client + " -> " + server;
        }
    }

    private final long startNs;
    private final List<Connection> connections;

    private Capture(long startNs, List<Connection> connections) {
        this.startNs = startNs;
        this.connections = connections;
    }

    /** Time of the first packet, ns: renderings show times relative to it. */
    public long startNs() {
        return startNs;
    }

    public List<Connection> connections() {
        return connections;
    }

    public static Capture read(Path pcap) throws IOException {
        List<Packet> packets = PcapReader.read(pcap);
        Map<String, Builder> open = new HashMap<>();
        List<Builder> all = new ArrayList<>();
        for (Packet p : packets) {
            Endpoint src = new Endpoint(p.srcIp(), p.srcPort());
            Endpoint dst = new Endpoint(p.dstIp(), p.dstPort());
            String key = key(p.tcp(), src, dst);
            Builder c = open.get(key);
            boolean syn = p.tcp() && p.has(Packet.SYN) && !p.has(Packet.ACK);
            if (c == null || (syn && c.sawPayloadOrFin)) {
                c = new Builder(all.size() + 1, p.tcp(), src, dst, p.timestampNs());
                open.put(key, c);
                all.add(c);
            }
            c.add(p, src);
        }
        long start = packets.isEmpty() ? 0 : packets.get(0).timestampNs();
        List<Connection> connections = new ArrayList<>();
        for (Builder b : all) {
            if (!b.segments.isEmpty()) {
                connections.add(b.build(connections.size() + 1));
            }
        }
        return new Capture(start, connections);
    }

    private static String key(boolean tcp, Endpoint a, Endpoint b) {
        String x = a.toString();
        String y = b.toString();
        return (tcp ? "t" : "u") + (x.compareTo(y) < 0 ? x + "|" + y : y + "|" + x);
    }

    private static final class Builder {
        final boolean tcp;
        final Endpoint client;
        final Endpoint server;
        final long startNs;
        final long[] seqBase = {-1, -1};
        final long[] nextSeq = {-1, -1};
        final List<DirectedSegment> segments = new ArrayList<>();
        boolean sawPayloadOrFin;

        Builder(int index, boolean tcp, Endpoint first, Endpoint second, long startNs) {
            this.tcp = tcp;
            this.client = first;
            this.server = second;
            this.startNs = startNs;
        }

        void add(Packet p, Endpoint src) {
            FlowDirection dir = src.equals(client) ? FlowDirection.CLIENT_TO_SERVER : FlowDirection.SERVER_TO_CLIENT;
            int d = dir.ordinal();
            if (p.tcp() && p.has(Packet.SYN)) {
                seqBase[d] = (p.seq() + 1) & 0xFFFF_FFFFL;
                nextSeq[d] = seqBase[d];
                return;
            }
            if (p.tcp() && p.has(Packet.FIN)) {
                sawPayloadOrFin = true;
            }
            byte[] payload = p.payload();
            if (payload.length == 0) {
                return;
            }
            sawPayloadOrFin = true;
            long seq = p.tcp() ? p.seq() : Segment.NO_TCP_SEQ;
            int skip = 0;
            if (p.tcp()) {
                if (seqBase[d] < 0) {
                    seqBase[d] = seq;
                    nextSeq[d] = seq;
                }
                long ahead = (nextSeq[d] - seq) & 0xFFFF_FFFFL;
                if (ahead != 0 && ahead < 0x8000_0000L) { // retransmission: drop what was seen already
                    if (ahead >= payload.length) {
                        return;
                    }
                    skip = (int) ahead;
                }
                nextSeq[d] = (seq + payload.length) & 0xFFFF_FFFFL;
            }
            long segSeq = p.tcp() ? (seq + skip) & 0xFFFF_FFFFL : Segment.NO_TCP_SEQ;
            segments.add(new DirectedSegment(dir, new Segment(payload, skip, payload.length - skip,
                    payload.length - skip, p.timestampNs(), segSeq, 0)));
        }

        Connection build(int index) {
            return new Connection(index, tcp, client, server, startNs, seqBase.clone(), List.copyOf(segments));
        }
    }
}
