package io.tapflow.protocols.dns;

import static io.tapflow.protocols.ByteReader.u16;
import java.io.Serializable;

/**
 * Reading the DNS wire format (RFC 1035 §4) from a byte array: header fields, names with compression pointers,
 * and a walk over the resource records that finds where a message ends. Pure functions over
 * {@code b[msg, msg+avail)}, where {@code msg} is the message's first byte (pointers are relative to it) and
 * {@code avail} how many of its bytes may be read. Nothing here allocates except the name text it is asked for.
 */
final class DnsWire {

    static final int HEADER = 12;
    /** The bytes ran out before the end of what was being read. */
    static final int INCOMPLETE = -1;
    /** The bytes are not a DNS message (bad label type, forward or looping pointer, name over 255 bytes). */
    static final int BAD = -2;

    static final int TYPE_OPT = 41;
    private static final int MAX_NAME = 255;

    private DnsWire() {
    }

    /**
     * Header sanity, for detection and for telling UDP from TCP framing: a known opcode, at most one question
     * (what every resolver sends), the Z bit clear, and no response code in a query.
     */
    static boolean plausibleHeader(byte[] b, int h) {
        int flags = u16(b, h + 2);
        int opcode = flags >>> 11 & 0xf;
        boolean response = (flags & 0x8000) != 0;
        return (opcode <= 2 || opcode >= 4 && opcode <= 6) && (flags & 0x0040) == 0
                && u16(b, h + 4) <= 1 && (response || (flags & 0xf) == 0);
    }

    /**
     * Reads the name at {@code off}. A compression pointer must point before every byte the name has read so far
     * (valid pointers name an earlier name, whose own pointers go further back): the runs of labels read are
     * then disjoint and move backwards, so pointer loops end as {@link #BAD}. The name may not exceed 255
     * bytes.
     *
     * @param out receives the name in presentation form (labels joined by '.', no trailing dot, "." for the
     *            root; bytes outside printable ASCII and '.' or '\' inside a label escaped as \DDD / \. / \\),
     *            or null to only skip it
     * @return the offset (relative to {@code msg}) just after the name where it was found, or {@link #INCOMPLETE}
     *         or {@link #BAD}
     */
    static int readName(byte[] b, int msg, int off, int avail, StringBuilder out) {
        int pos = off;
        int lowest = off;
        int end = -1;
        int total = 0;
        boolean first = true;
        while (true) {
            if (pos >= avail) {
                return INCOMPLETE;
            }
            int len = b[msg + pos] & 0xff;
            if (len == 0) {
                if (out != null && first) {
                    out.append('.');
                }
                return end >= 0 ? end : pos + 1;
            }
            if ((len & 0xc0) == 0xc0) {
                if (pos + 1 >= avail) {
                    return INCOMPLETE;
                }
                int target = (len & 0x3f) << 8 | (b[msg + pos + 1] & 0xff);
                if (target >= lowest) {
                    return BAD;
                }
                lowest = target;
                if (end < 0) {
                    end = pos + 2;
                }
                pos = target;
                continue;
            }
            if ((len & 0xc0) != 0) {
                return BAD;
            }
            total += len + 1;
            if (total > MAX_NAME) {
                return BAD;
            }
            if (pos + 1 + len > avail) {
                return INCOMPLETE;
            }
            if (out != null) {
                if (!first) {
                    out.append('.');
                }
                appendLabel(b, msg + pos + 1, len, out);
            }
            first = false;
            pos += 1 + len;
        }
    }

    private static void appendLabel(byte[] b, int from, int len, StringBuilder out) {
        for (int i = from; i < from + len; i++) {
            int c = b[i] & 0xff;
            if (c == '.' || c == '\\') {
                out.append('\\').append((char) c);
            } else if (c > 0x20 && c < 0x7f) {
                out.append((char) c);
            } else {
                out.append('\\').append((char) ('0' + c / 100)).append((char) ('0' + c / 10 % 10))
                        .append((char) ('0' + c % 10));
            }
        }
    }

    /** What {@link #parse} found. Reused by one decoder; {@link #clear()} before each message. */
    static final class Parsed implements Serializable {
        int id;
        int flags;
        int qdCount;
        int anCount;
        int nsCount;
        int arCount;
        /** First question, or null/-1 when not (fully) captured. */
        String qname;
        int qtype = -1;
        /** UDP payload size of the OPT record, -1 without one (or when the walk did not reach it). */
        int ednsUdpSize = -1;
        /** Upper 8 bits of the extended RCODE from the OPT record. */
        int extendedRcode;
        /** Offset just after the message's last record, when the walk completed. */
        int end = -1;

        void clear() {
            id = flags = qdCount = anCount = nsCount = arCount = 0;
            qname = null;
            qtype = -1;
            ednsUdpSize = -1;
            extendedRcode = 0;
            end = -1;
        }

        boolean response() {
            return (flags & 0x8000) != 0;
        }

        int opcode() {
            return flags >>> 11 & 0xf;
        }

        int rcode() {
            return extendedRcode << 4 | flags & 0xf;
        }
    }

    /**
     * Reads header, questions and records of the message at {@code b[msg, msg+avail)} into {@code p} (cleared
     * first), as far as the bytes go.
     *
     * @return {@link #HEADER} or more — the message's end, when every record was walked — or
     *         {@link #INCOMPLETE} (p holds what was read) or {@link #BAD}
     */
    static int parse(byte[] b, int msg, int avail, Parsed p) {
        p.clear();
        if (avail < HEADER) {
            return INCOMPLETE;
        }
        p.id = u16(b, msg);
        p.flags = u16(b, msg + 2);
        p.qdCount = u16(b, msg + 4);
        p.anCount = u16(b, msg + 6);
        p.nsCount = u16(b, msg + 8);
        p.arCount = u16(b, msg + 10);
        int pos = HEADER;
        for (int q = 0; q < p.qdCount; q++) {
            StringBuilder name = q == 0 ? new StringBuilder(32) : null;
            int next = readName(b, msg, pos, avail, name);
            if (next < 0) {
                return next;
            }
            if (next + 4 > avail) {
                return INCOMPLETE;
            }
            if (q == 0) {
                p.qname = name.toString();
                p.qtype = u16(b, msg + next);
            }
            pos = next + 4;
        }
        int records = p.anCount + p.nsCount + p.arCount;
        int additionalFrom = p.anCount + p.nsCount;
        for (int r = 0; r < records; r++) {
            int next = readName(b, msg, pos, avail, null);
            if (next < 0) {
                return next;
            }
            if (next + 10 > avail) {
                return INCOMPLETE;
            }
            int type = u16(b, msg + next);
            if (r >= additionalFrom && type == TYPE_OPT) {
                p.ednsUdpSize = u16(b, msg + next + 2);
                p.extendedRcode = b[msg + next + 4] & 0xff;
            }
            int rdEnd = next + 10 + u16(b, msg + next + 8);
            if (rdEnd > avail) {
                return INCOMPLETE;
            }
            pos = rdEnd;
        }
        p.end = pos;
        return pos;
    }
}
