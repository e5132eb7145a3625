package io.tapflow.collector.pcap;

import io.tapflow.schema.Direction;

/** A replayed UDP exchange between two endpoints: each datagram is one send on one socket and one receive on the other. */
final class UdpFlow {

    private final ReplaySocket client;
    private final ReplaySocket server;
    private final ReplayEmitter emitter;

    UdpFlow(ReplaySocket client, ReplaySocket server, ReplayEmitter emitter) {
        this.client = client;
        this.server = server;
        this.emitter = emitter;
    }

    /** Whether ip:port is the client's end (packets from it go client to server). */
    boolean isClient(String ip, int port) {
        return client.localPort == port && client.localIp.equals(ip);
    }

    void handle(DecodedPacket packet, boolean fromClient) {
        if (packet.payloadLength == 0) {
            return; // a zero-length datagram moves no bytes; the contract has byte_count >= 1
        }
        ReplaySocket sender = fromClient ? client : server;
        ReplaySocket receiver = fromClient ? server : client;
        int captured = Math.min(packet.payloadCaptured, packet.payloadLength);
        emitter.socketData(sender, Direction.EGRESS, packet.timestampNs, -1, packet.payloadLength, packet.frame,
                packet.payloadOffset, captured);
        emitter.socketData(receiver, Direction.INGRESS, packet.timestampNs, -1, packet.payloadLength, packet.frame,
                packet.payloadOffset, captured);
    }
}
