package io.tapflow.collector.pcap;

/**
 * A TCP segment or UDP datagram taken out of a capture record: addresses, ports, TCP header fields and where the
 * payload lies in the record's bytes. Mutable and short-lived: one per record, consumed by the flow trackers.
 */
final class DecodedPacket {

    static final int TCP = 6;
    static final int UDP = 17;

    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int ACK = 0x10;

    long timestampNs;
    boolean ipv6;
    byte[] sourceAddress;
    byte[] destinationAddress;
    int sourcePort;
    int destinationPort;
    int protocol;
    /** TCP sequence and acknowledgement numbers, unsigned 32-bit. */
    long seq;
    long ack;
    int flags;
    byte[] frame;
    int payloadOffset;
    /** Payload bytes present in {@link #frame}. */
    int payloadCaptured;
    /** Payload length the IP/TCP/UDP headers declare; larger than {@link #payloadCaptured} when snap-cut. */
    int payloadLength;

    boolean has(int flag) {
        return (flags & flag) != 0;
    }
}
