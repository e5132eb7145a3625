package io.tapflow.collector.pcap;

/**
 * Finds the IP packet inside a link-layer frame for the link types the replay understands (LINKTYPE_* numbers of
 * tcpdump.org/linktypes.html).
 */
final class LinkLayer {

    static final int NULL = 0;
    static final int ETHERNET = 1;
    /** DLT_RAW as some BSDs number it in files. */
    static final int RAW_BSD_12 = 12;
    static final int RAW_BSD_14 = 14;
    static final int RAW = 101;
    static final int LOOP = 108;
    static final int LINUX_SLL = 113;
    static final int IPV4 = 228;
    static final int IPV6 = 229;
    static final int LINUX_SLL2 = 276;

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETHERTYPE_QINQ = 0x88A8;
    private static final int ETHERTYPE_QINQ_OLD = 0x9100;

    /** Returned when the frame carries no IPv4/IPv6 packet (ARP, LLC, ...) or is too short. */
    static final int NOT_IP = -1;
    /** Returned for a link type this reader does not decode. */
    static final int UNSUPPORTED = -2;

    private LinkLayer() {
    }

    static boolean supported(int linkType) {
        return switch (linkType) {
            case NULL, ETHERNET, RAW_BSD_12, RAW_BSD_14, RAW, LOOP, LINUX_SLL, IPV4, IPV6, LINUX_SLL2 -> true;
            default -> false;
        };
    }

    /** Offset of the IP header in {@code frame}, {@link #NOT_IP} or {@link #UNSUPPORTED}. */
    static int ipOffset(int linkType, byte[] frame) {
        int length = frame.length;
        return switch (linkType) {
            case ETHERNET -> ethernet(frame, length);
            case LINUX_SLL -> length >= 16 ? ipByEtherType(uint16(frame, 14), 16) : NOT_IP;
            case LINUX_SLL2 -> length >= 20 ? ipByEtherType(uint16(frame, 0), 20) : NOT_IP;
            // the 4-byte address family is in the writer's byte order and its IPv6 value differs per OS:
            // the IP version nibble is the reliable signal
            case NULL, LOOP -> length > 4 ? ipByVersion(frame, 4) : NOT_IP;
            case RAW, RAW_BSD_12, RAW_BSD_14, IPV4, IPV6 -> length > 0 ? ipByVersion(frame, 0) : NOT_IP;
            default -> UNSUPPORTED;
        };
    }

    private static int ethernet(byte[] frame, int length) {
        int offset = 12;
        while (offset + 2 <= length) {
            int type = uint16(frame, offset);
            if (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD) {
                offset += 4; // tag control information, then the next type
                continue;
            }
            return ipByEtherType(type, offset + 2);
        }
        return NOT_IP;
    }

    private static int ipByEtherType(int etherType, int offset) {
        return etherType == ETHERTYPE_IPV4 || etherType == ETHERTYPE_IPV6 ? offset : NOT_IP;
    }

    private static int ipByVersion(byte[] frame, int offset) {
        int version = (frame[offset] & 0xF0) >>> 4;
        return version == 4 || version == 6 ? offset : NOT_IP;
    }

    static int uint16(byte[] b, int offset) {
        return ((b[offset] & 0xFF) << 8) | (b[offset + 1] & 0xFF);
    }
}
