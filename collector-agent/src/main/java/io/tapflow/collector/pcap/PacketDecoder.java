package io.tapflow.collector.pcap;

/**
 * Decodes capture records down to TCP segments and UDP datagrams: link layer ({@link LinkLayer}), IPv4 (fragments
 * skipped and counted) or IPv6 (extension headers walked, fragments skipped), then TCP or UDP. Everything it cannot
 * use is counted by reason in {@link ReplayCounters}.
 */
final class PacketDecoder {

    private static final int IPV6_HOP_BY_HOP = 0;
    private static final int IPV6_ROUTING = 43;
    private static final int IPV6_FRAGMENT = 44;
    private static final int IPV6_AUTH = 51;
    private static final int IPV6_DEST_OPTS = 60;
    private static final int IPV6_MOBILITY = 135;

    private final ReplayCounters counters;

    PacketDecoder(ReplayCounters counters) {
        this.counters = counters;
    }

    /** The TCP/UDP content of {@code record}, or null (counted) when it has none the replay can use. */
    DecodedPacket decode(CaptureRecord record) {
        byte[] frame = record.data();
        int ip = LinkLayer.ipOffset(record.linkType(), frame);
        if (ip == LinkLayer.UNSUPPORTED) {
            counters.increment(ReplayCounter.UNSUPPORTED_LINK_TYPE);
            return null;
        }
        if (ip < 0) {
            counters.increment(ReplayCounter.NOT_IP);
            return null;
        }
        DecodedPacket packet = new DecodedPacket();
        packet.timestampNs = record.timestampNs();
        packet.frame = frame;
        int version = (frame[ip] & 0xF0) >>> 4;
        boolean ok = version == 4 ? ipv4(packet, frame, ip) : ipv6(packet, frame, ip);
        if (!ok) {
            return null;
        }
        if (packet.payloadCaptured < packet.payloadLength) {
            counters.increment(ReplayCounter.CUT_BY_SNAP_LENGTH);
        }
        return packet;
    }

    private boolean ipv4(DecodedPacket packet, byte[] frame, int ip) {
        if (frame.length < ip + 20) {
            return malformed();
        }
        int headerLength = (frame[ip] & 0x0F) * 4;
        int totalLength = LinkLayer.uint16(frame, ip + 2);
        if (headerLength < 20 || totalLength < headerLength) {
            return malformed();
        }
        int flagsAndOffset = LinkLayer.uint16(frame, ip + 6);
        boolean moreFragments = (flagsAndOffset & 0x2000) != 0;
        if (moreFragments || (flagsAndOffset & 0x1FFF) != 0) {
            counters.increment(ReplayCounter.IPV4_FRAGMENTS);
            return false;
        }
        if (frame.length < ip + headerLength) {
            return malformed();
        }
        packet.ipv6 = false;
        packet.sourceAddress = slice(frame, ip + 12, 4);
        packet.destinationAddress = slice(frame, ip + 16, 4);
        // total length, not the frame length: Ethernet pads short frames, and the pad is not payload
        return transport(packet, frame, frame[ip + 9] & 0xFF, ip + headerLength, ip + totalLength);
    }

    private boolean ipv6(DecodedPacket packet, byte[] frame, int ip) {
        if (frame.length < ip + 40) {
            return malformed();
        }
        int payloadLength = LinkLayer.uint16(frame, ip + 4);
        int end = payloadLength == 0 ? frame.length : ip + 40 + payloadLength; // 0 = jumbogram: trust the frame
        packet.ipv6 = true;
        packet.sourceAddress = slice(frame, ip + 8, 16);
        packet.destinationAddress = slice(frame, ip + 24, 16);
        int next = frame[ip + 6] & 0xFF;
        int offset = ip + 40;
        while (true) {
            switch (next) {
                case IPV6_FRAGMENT -> {
                    counters.increment(ReplayCounter.IPV6_FRAGMENTS);
                    return false;
                }
                case IPV6_HOP_BY_HOP, IPV6_ROUTING, IPV6_DEST_OPTS, IPV6_MOBILITY -> {
                    if (frame.length < offset + 2) {
                        return malformed();
                    }
                    next = frame[offset] & 0xFF;
                    offset += ((frame[offset + 1] & 0xFF) + 1) * 8;
                }
                case IPV6_AUTH -> {
                    if (frame.length < offset + 2) {
                        return malformed();
                    }
                    next = frame[offset] & 0xFF;
                    offset += ((frame[offset + 1] & 0xFF) + 2) * 4;
                }
                default -> {
                    return transport(packet, frame, next, offset, end);
                }
            }
        }
    }

    /** Decodes TCP or UDP at {@code offset}; {@code end} is where the IP packet ends by its own length fields. */
    private boolean transport(DecodedPacket packet, byte[] frame, int protocol, int offset, int end) {
        if (protocol != DecodedPacket.TCP && protocol != DecodedPacket.UDP) {
            counters.increment(ReplayCounter.OTHER_TRANSPORT);
            return false;
        }
        packet.protocol = protocol;
        int headerMinimum = protocol == DecodedPacket.TCP ? 20 : 8;
        if (frame.length < offset + headerMinimum || end < offset + headerMinimum) {
            return malformed();
        }
        packet.sourcePort = LinkLayer.uint16(frame, offset);
        packet.destinationPort = LinkLayer.uint16(frame, offset + 2);
        int payloadStart;
        if (protocol == DecodedPacket.TCP) {
            packet.seq = uint32(frame, offset + 4);
            packet.ack = uint32(frame, offset + 8);
            int headerLength = ((frame[offset + 12] & 0xF0) >>> 4) * 4;
            if (headerLength < 20 || offset + headerLength > end) {
                return malformed();
            }
            packet.flags = frame[offset + 13] & 0xFF;
            payloadStart = offset + headerLength;
        } else {
            int udpLength = LinkLayer.uint16(frame, offset + 4);
            if (udpLength < 8 || offset + udpLength > end) {
                return malformed();
            }
            end = offset + udpLength;
            payloadStart = offset + 8;
        }
        packet.payloadOffset = payloadStart;
        packet.payloadLength = end - payloadStart;
        packet.payloadCaptured = Math.max(0, Math.min(end, frame.length) - payloadStart);
        return true;
    }

    private boolean malformed() {
        counters.increment(ReplayCounter.MALFORMED);
        return false;
    }

    private static byte[] slice(byte[] b, int offset, int length) {
        byte[] out = new byte[length];
        System.arraycopy(b, offset, out, 0, length);
        return out;
    }

    private static long uint32(byte[] b, int offset) {
        return ((long) LinkLayer.uint16(b, offset) << 16) | LinkLayer.uint16(b, offset + 2);
    }
}
