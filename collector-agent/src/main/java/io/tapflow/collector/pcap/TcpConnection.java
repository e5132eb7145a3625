package io.tapflow.collector.pcap;

import io.tapflow.schema.CloseType;
import io.tapflow.schema.TcpEventType;

/**
 * A replayed TCP connection: its two sockets (client = SYN sender), the two byte streams between them, and the
 * life-cycle events the kernel's state tracepoints would report for each socket:
 * <ul>
 *   <li>client: CONNECT_START at the SYN, CONNECT_ESTABLISHED at the SYN-ACK (latency SYN → SYN-ACK), or
 *       CONNECT_FAILED when a RST answers the SYN;</li>
 *   <li>server: ACCEPT at the client's first ACK after the SYN-ACK;</li>
 *   <li>both: RETRANSMIT for each re-sent segment, RESET_SENT/RESET_RECEIVED and CLOSE (RESET) on a RST,
 *       CLOSE (NORMAL) for the side that closed first when the other side's FIN arrives and for the other side when
 *       its FIN is acknowledged.</li>
 * </ul>
 * Packets after the connection closed are ignored.
 */
final class TcpConnection {

    private final ReplaySocket client;
    private final ReplaySocket server;
    private final TcpStream toServer;
    private final TcpStream toClient;
    private final ReplayEmitter emitter;
    private final boolean handshakeSeen;

    private long clientIsn = -1;
    private long synNs = -1;
    private long synAckNs = -1;
    private boolean accepted;
    /** The socket whose FIN came first, once the other FIN came too (it is in TIME_WAIT). */
    private ReplaySocket activeCloser;
    private boolean closed;
    private long lastNs;

    TcpConnection(ReplaySocket client, ReplaySocket server, boolean handshakeSeen, ReplayEmitter emitter,
                  ReplayCounters counters, ReplayOptions options) {
        this.client = client;
        this.server = server;
        this.handshakeSeen = handshakeSeen;
        this.emitter = emitter;
        this.toServer = new TcpStream(client, server, emitter, counters, options);
        this.toClient = new TcpStream(server, client, emitter, counters, options);
    }

    boolean handshakeSeen() {
        return handshakeSeen;
    }

    boolean closed() {
        return closed;
    }

    /** Whether a SYN with this ISN is a retransmission of this connection's SYN (not a reuse of the 4-tuple). */
    boolean isSynOf(long isn) {
        return !closed && clientIsn == isn;
    }

    /** Whether ip:port is the client's end (packets from it go client to server). */
    boolean isClient(String ip, int port) {
        return client.localPort == port && client.localIp.equals(ip);
    }

    void handle(DecodedPacket packet, boolean fromClient) {
        if (closed) {
            return;
        }
        lastNs = packet.timestampNs;
        TcpStream stream = fromClient ? toServer : toClient;
        TcpStream other = fromClient ? toClient : toServer;
        if (packet.has(DecodedPacket.SYN)) {
            handshake(packet, fromClient);
            return;
        }
        if (packet.has(DecodedPacket.RST)) {
            reset(packet, fromClient);
            return;
        }
        if (fromClient && synAckNs >= 0 && !accepted && packet.has(DecodedPacket.ACK)) {
            accepted = true;
            emitter.tcpEvent(server, TcpEventType.ACCEPT, packet.timestampNs, "TCP_SYN_RECV", "TCP_ESTABLISHED",
                    null, null, false);
        }
        if (stream.bringsNewData(packet)) {
            other.flushCall(); // the other side's call ended when this side started talking
        }
        stream.offer(packet);
        if (packet.has(DecodedPacket.FIN) && !stream.finSeen) {
            stream.fin(packet);
            if (other.finSeen) {
                // the first closer got the peer's FIN: FIN_WAIT2 -> TIME_WAIT, reported as TCP_CLOSE
                activeCloser = other.sender;
                other.flushCall();
                close(activeCloser, packet.timestampNs, "TCP_FIN_WAIT2", CloseType.NORMAL);
            }
        }
        if (activeCloser != null && packet.has(DecodedPacket.ACK) && stream.sender == activeCloser
                && packet.ack == ((other.finSeq + 1) & 0xFFFFFFFFL)) {
            // the last ACK: the passive closer leaves LAST_ACK
            close(other.sender, packet.timestampNs, "TCP_LAST_ACK", CloseType.NORMAL);
            closed = true;
        }
    }

    /** Emits the calls of both directions whose last byte is older than the call gap at {@code nowNs}. */
    void flushIdleCalls(long nowNs) {
        if (!closed) {
            toServer.flushIfIdle(nowNs);
            toClient.flushIfIdle(nowNs);
        }
    }

    /** End of input or eviction: emits what is still coalescing; a half-finished close completes now. */
    void finish() {
        if (closed) {
            return;
        }
        toServer.finish();
        toClient.finish();
        if (activeCloser != null) {
            ReplaySocket passive = activeCloser == client ? server : client;
            close(passive, lastNs, "TCP_LAST_ACK", CloseType.NORMAL);
            closed = true;
        }
    }

    private void handshake(DecodedPacket packet, boolean fromClient) {
        if (fromClient && !packet.has(DecodedPacket.ACK)) {
            if (synNs < 0) {
                synNs = packet.timestampNs;
                clientIsn = packet.seq;
                toServer.start(packet.seq + 1);
                emitter.tcpEvent(client, TcpEventType.CONNECT_START, packet.timestampNs, "TCP_CLOSE", "TCP_SYN_SENT",
                        null, null, false);
            } else {
                synRetransmitted(client, packet.timestampNs);
            }
            return;
        }
        if (!fromClient && packet.has(DecodedPacket.ACK)) {
            if (synAckNs >= 0) {
                synRetransmitted(server, packet.timestampNs);
                return;
            }
            synAckNs = packet.timestampNs;
            toClient.start(packet.seq + 1);
            toServer.start(packet.ack);
            Long latency = synNs >= 0 ? synAckNs - synNs : null;
            emitter.tcpEvent(client, TcpEventType.CONNECT_ESTABLISHED, packet.timestampNs, "TCP_SYN_SENT",
                    "TCP_ESTABLISHED", latency, null, false);
        }
        // a SYN the other way round (simultaneous open) is too rare on real services to model
    }

    private void reset(DecodedPacket packet, boolean fromClient) {
        toServer.finish();
        toClient.finish();
        closed = true;
        long ns = packet.timestampNs;
        if (synAckNs < 0 && synNs >= 0 && !fromClient) {
            // refused: no server socket ever existed, the client's connect fails
            emitter.tcpEvent(client, TcpEventType.RESET_RECEIVED, ns, null, null, null, null, false);
            emitter.tcpEvent(client, TcpEventType.CONNECT_FAILED, ns, "TCP_SYN_SENT", "TCP_CLOSE", ns - synNs,
                    CloseType.CONNECT_FAILED, false);
            return;
        }
        ReplaySocket sender = fromClient ? client : server;
        ReplaySocket receiver = fromClient ? server : client;
        emitter.tcpEvent(sender, TcpEventType.RESET_SENT, ns, null, null, null, null, false);
        emitter.tcpEvent(receiver, TcpEventType.RESET_RECEIVED, ns, null, null, null, null, false);
        close(sender, ns, stateBeforeReset(sender), CloseType.RESET);
        close(receiver, ns, stateBeforeReset(receiver), CloseType.RESET);
    }

    private String stateBeforeReset(ReplaySocket socket) {
        boolean sentFin = (socket == client ? toServer : toClient).finSeen;
        boolean gotFin = (socket == client ? toClient : toServer).finSeen;
        if (sentFin && gotFin) {
            return "TCP_CLOSING";
        }
        if (sentFin) {
            return "TCP_FIN_WAIT2";
        }
        return gotFin ? "TCP_CLOSE_WAIT" : "TCP_ESTABLISHED";
    }

    private void close(ReplaySocket socket, long ns, String stateOld, CloseType type) {
        emitter.tcpEvent(socket, TcpEventType.CLOSE, ns, stateOld, "TCP_CLOSE", null, type, true);
    }

    private void synRetransmitted(ReplaySocket sender, long ns) {
        sender.retransmits++;
        emitter.tcpEvent(sender, TcpEventType.RETRANSMIT, ns, null, sender == client ? "TCP_SYN_SENT" : "TCP_SYN_RECV",
                null, null, false);
    }
}
