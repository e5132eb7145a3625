package io.tapflow.collector.bpf;

import java.nio.ByteBuffer;

/**
 * Addresses from event bytes in the contract's textual form: dotted quad for IPv4, RFC 5952 for IPv6 (lower-case
 * hex, the longest run of two or more zero groups as {@code ::}, IPv4-mapped as {@code ::ffff:a.b.c.d}).
 * {@code InetAddress} is not used: it turns IPv4-mapped addresses into IPv4 and does not compress zeros.
 */
final class IpText {

    private IpText() {}

    static String ipv4(ByteBuffer buffer, int offset) {
        return (buffer.get(offset) & 0xff) + "." + (buffer.get(offset + 1) & 0xff) + "."
                + (buffer.get(offset + 2) & 0xff) + "." + (buffer.get(offset + 3) & 0xff);
    }

    static String ipv6(ByteBuffer buffer, int offset) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((buffer.get(offset + 2 * i) & 0xff) << 8) | (buffer.get(offset + 2 * i + 1) & 0xff);
        }
        if (groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 && groups[4] == 0
                && groups[5] == 0xffff) {
            return "::ffff:" + ipv4(buffer, offset + 12);
        }
        int bestStart = -1;
        int bestLength = 1; // RFC 5952 4.2.2: a single zero group is not compressed
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) { // strictly longer: the first of equal runs wins (4.2.3)
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }
}
