package io.tapflow.collector.source;

import java.nio.ByteBuffer;

/**
 * Textual IP addresses as the raw event contract wants them: dotted quad for IPv4, RFC 5952 for IPv6 (lower-case
 * hex, leading zeros dropped, the longest run of two or more zero groups as {@code ::}, IPv4-mapped addresses as
 * {@code ::ffff:a.b.c.d}). {@link java.net.InetAddress#getHostAddress()} does not compress (and turns IPv4-mapped
 * addresses into IPv4), hence this class. Both sources use it, so live and replayed events spell addresses alike.
 */
public final class AddressText {

    private AddressText() {
    }

    /** Formats the 4- or 16-byte address at {@code offset} of {@code buffer} (absolute, position unchanged). */
    public static String format(ByteBuffer buffer, int offset, int length) {
        byte[] address = new byte[length];
        buffer.get(offset, address);
        return format(address);
    }

    /** Formats a 4- or 16-byte address. */
    public static String format(byte[] address) {
        if (address.length == 4) {
            return ipv4(address, 0);
        }
        if (address.length != 16) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + address.length);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((address[2 * i] & 0xFF) << 8) | (address[2 * i + 1] & 0xFF);
        }
        if (groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 && groups[4] == 0
                && groups[5] == 0xFFFF) {
            return "::ffff:" + ipv4(address, 12);
        }
        int bestStart = -1;
        int bestLength = 1; // RFC 5952 4.2.2: a single zero group is not shortened
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
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

    private static String ipv4(byte[] b, int offset) {
        return (b[offset] & 0xFF) + "." + (b[offset + 1] & 0xFF) + "." + (b[offset + 2] & 0xFF) + "."
                + (b[offset + 3] & 0xFF);
    }
}
