package io.tapflow.protocols.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the TCP and UDP packets of a classic pcap file as tcpdump writes it (either byte order, µs or ns
 * timestamps; Ethernet, Linux cooked v1/v2, raw IP and BSD loopback link types; IPv4 and IPv6). Test support for
 * golden captures: anything else in the file is skipped, a file that is not pcap is an error.
 */
public final class PcapReader {

    /** One TCP or UDP packet. {@code tcp} false means UDP; seq and flags are 0 for UDP. */
    public record Packet(long timestampNs, String srcIp, int srcPort, String dstIp, int dstPort, boolean tcp,
                         long seq, int flags, byte[] payload) {

        public static final int FIN = 0x01;
        public static final int SYN = 0x02;
        public static final int RST = 0x04;
        public static final int ACK = 0x10;

        public boolean has(int flag) {
            return (flags & flag) != 0;
        }
    }

    private static final int LINKTYPE_NULL = 0;
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int LINKTYPE_RAW = 101;
    private static final int LINKTYPE_LOOP = 108;
    private static final int LINKTYPE_LINUX_SLL = 113;
    private static final int LINKTYPE_LINUX_SLL2 = 276;

    private PcapReader() {
    }

    public static List<Packet> read(Path file) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
        if (in.remaining() < 24) {
            throw new IOException(file + ": too short for a pcap header");
        }
        int magic = in.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        boolean nanos;
        switch (magic) {
            case 0xa1b2c3d4 -> nanos = false;
            case 0xa1b23c4d -> nanos = true;
            default -> {
                int be = in.order(ByteOrder.BIG_ENDIAN).getInt(0);
                if (be == 0xa1b2c3d4) {
                    nanos = false;
                } else if (be == 0xa1b23c4d) {
                    nanos = true;
                } else if (be == 0x0a0d0d0a) {
                    throw new IOException(file + ": pcapng is not supported; record with tcpdump -w (classic pcap)");
                } else {
                    throw new IOException(file + ": not a pcap file (magic " + Integer.toHexString(magic) + ")");
                }
            }
        }
        int linkType = in.getInt(20) & 0x0FFF_FFFF;
        in.position(24);
        List<Packet> packets = new ArrayList<>();
        while (in.remaining() >= 16) {
            long sec = in.getInt() & 0xFFFF_FFFFL;
            long frac = in.getInt() & 0xFFFF_FFFFL;
            int capLen = in.getInt();
            in.getInt(); // original length: tcpdump -s 0 captures whole packets
            if (capLen < 0 || capLen > in.remaining()) {
                break; // truncated last record: tcpdump was killed mid-write
            }
            byte[] frame = new byte[capLen];
            in.get(frame);
            long ts = sec * 1_000_000_000L + (nanos ? frac : frac * 1000);
            Packet p = decodeFrame(ByteBuffer.wrap(frame), linkType, ts);
            if (p != null) {
                packets.add(p);
            }
        }
        return packets;
    }

    private static Packet decodeFrame(ByteBuffer f, int linkType, long ts) {
        int etherType;
        switch (linkType) {
            case LINKTYPE_ETHERNET -> {
                if (f.remaining() < 14) {
                    return null;
                }
                f.position(12);
                etherType = f.getShort() & 0xFFFF;
                while (etherType == 0x8100 && f.remaining() >= 4) { // VLAN tag
                    f.getShort();
                    etherType = f.getShort() & 0xFFFF;
                }
            }
            case LINKTYPE_LINUX_SLL -> {
                if (f.remaining() < 16) {
                    return null;
                }
                f.position(14);
                etherType = f.getShort() & 0xFFFF;
            }
            case LINKTYPE_LINUX_SLL2 -> {
                if (f.remaining() < 20) {
                    return null;
                }
                etherType = f.getShort(0) & 0xFFFF;
                f.position(20);
            }
            case LINKTYPE_RAW -> etherType = f.remaining() > 0 && ((f.get(0) >> 4) & 0xF) == 6 ? 0x86DD : 0x0800;
            case LINKTYPE_NULL, LINKTYPE_LOOP -> {
                if (f.remaining() < 4) {
                    return null;
                }
                f.position(4);
                etherType = f.remaining() > 0 && ((f.get(4) >> 4) & 0xF) == 6 ? 0x86DD : 0x0800;
            }
            default -> throw new IllegalArgumentException("unsupported pcap link type " + linkType);
        }
        return switch (etherType) {
            case 0x0800 -> ipv4(f.slice(), ts);
            case 0x86DD -> ipv6(f.slice(), ts);
            default -> null;
        };
    }

    private static Packet ipv4(ByteBuffer ip, long ts) {
        if (ip.remaining() < 20) {
            return null;
        }
        int ihl = (ip.get(0) & 0x0F) * 4;
        int total = ip.getShort(2) & 0xFFFF;
        int proto = ip.get(9) & 0xFF;
        if ((ip.getShort(6) & 0x1FFF) != 0 || (ip.getShort(6) & 0x2000) != 0) {
            return null; // fragments do not happen on loopback captures; skip rather than misparse
        }
        String src = address(ip, 12, 4);
        String dst = address(ip, 16, 4);
        int end = Math.min(ip.limit(), total);
        return l4(ip, ihl, end, proto, src, dst, ts);
    }

    private static Packet ipv6(ByteBuffer ip, long ts) {
        if (ip.remaining() < 40) {
            return null;
        }
        int payloadLen = ip.getShort(4) & 0xFFFF;
        int next = ip.get(6) & 0xFF;
        String src = address(ip, 8, 16);
        String dst = address(ip, 24, 16);
        int off = 40;
        // hop-by-hop, routing and destination options headers
        while ((next == 0 || next == 43 || next == 60) && off + 8 <= ip.limit()) {
            int len = (ip.get(off + 1) & 0xFF) * 8 + 8;
            next = ip.get(off) & 0xFF;
            off += len;
        }
        return l4(ip, off, Math.min(ip.limit(), 40 + payloadLen), next, src, dst, ts);
    }

    private static Packet l4(ByteBuffer ip, int off, int end, int proto, String src, String dst, long ts) {
        if (proto == 6 && off + 20 <= end) {
            int srcPort = ip.getShort(off) & 0xFFFF;
            int dstPort = ip.getShort(off + 2) & 0xFFFF;
            long seq = ip.getInt(off + 4) & 0xFFFF_FFFFL;
            int dataOff = ((ip.get(off + 12) >> 4) & 0xF) * 4;
            int flags = ip.get(off + 13) & 0xFF;
            int start = Math.min(end, off + dataOff);
            return new Packet(ts, src, srcPort, dst, dstPort, true, seq, flags, slice(ip, start, end));
        }
        if (proto == 17 && off + 8 <= end) {
            int srcPort = ip.getShort(off) & 0xFFFF;
            int dstPort = ip.getShort(off + 2) & 0xFFFF;
            return new Packet(ts, src, srcPort, dst, dstPort, false, 0, 0, slice(ip, off + 8, end));
        }
        return null;
    }

    private static byte[] slice(ByteBuffer b, int from, int to) {
        return Arrays.copyOfRange(b.array(), b.arrayOffset() + from, b.arrayOffset() + Math.max(from, to));
    }

    private static String address(ByteBuffer ip, int off, int len) {
        byte[] a = new byte[len];
        for (int i = 0; i < len; i++) {
            a[i] = ip.get(off + i);
        }
        try {
            return InetAddress.getByAddress(a).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
