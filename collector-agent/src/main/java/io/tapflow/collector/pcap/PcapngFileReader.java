package io.tapflow.collector.pcap;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * pcapng files: a sequence of sections, each a Section Header Block (which fixes the byte order) followed by
 * Interface Description Blocks (link type, snap length, timestamp resolution and offset per interface) and packet
 * blocks: Enhanced (EPB), Simple (SPB) and the obsolete Packet Block. Name resolution, statistics, decryption
 * secrets and custom blocks are skipped.
 */
final class PcapngFileReader extends CaptureFileReader {

    private static final int SHB = 0x0A0D0D0A;
    private static final int IDB = 1;
    private static final int OBSOLETE_PB = 2;
    private static final int SPB = 3;
    private static final int EPB = 6;
    private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int OPT_END = 0;
    private static final int IF_TSRESOL = 9;
    private static final int IF_TSOFFSET = 14;
    /** Blocks larger than this are treated as corruption rather than allocated. */
    private static final int MAX_BLOCK = 1 << 26;

    /** What an IDB says about the packets of its interface. */
    private record Interface(int linkType, int snapLength, long unitsPerSecond, long offsetSeconds) {}

    private final Path file;
    private final List<Interface> interfaces = new ArrayList<>();
    private final byte[] head = new byte[8];
    private boolean bigEndian;
    /** open() consumed the first block's type already. */
    private boolean typeAlreadyRead = true;
    private long lastTimestampNs;

    PcapngFileReader(InputStream in, Path file) {
        super(in);
        this.file = file;
    }

    @Override
    public CaptureRecord next() throws IOException {
        while (true) {
            int type;
            if (typeAlreadyRead) {
                type = SHB;
                typeAlreadyRead = false;
            } else {
                int got = readUpTo(head, 0, 4);
                if (got == 0) {
                    return null;
                }
                if (got < 4) {
                    countTruncated();
                    return null;
                }
                type = int32(head, 0, true);
                if (type != SHB) {
                    type = int32(head, 0, bigEndian);
                }
            }
            if (type == SHB) {
                if (!readSectionHeader()) {
                    countTruncated();
                    return null;
                }
                continue;
            }
            if (readUpTo(head, 0, 4) < 4) {
                countTruncated();
                return null;
            }
            int length = int32(head, 0, bigEndian);
            if (length < 12 || (length & 3) != 0 || length > MAX_BLOCK) {
                throw new CaptureFormatException(file + ": pcapng block of type " + type + " has length "
                        + Integer.toUnsignedString(length) + " (corrupt file?)");
            }
            byte[] body = new byte[length - 8]; // body plus the trailing length copy
            if (!readFully(body, 0, body.length)) {
                countTruncated();
                return null;
            }
            int bodyLength = length - 12;
            CaptureRecord record = switch (type) {
                case IDB -> {
                    interfaces.add(parseInterface(body, bodyLength));
                    yield null;
                }
                case EPB -> enhancedPacket(body, bodyLength);
                case SPB -> simplePacket(body, bodyLength);
                case OBSOLETE_PB -> obsoletePacket(body, bodyLength);
                default -> null;
            };
            if (record != null) {
                return record;
            }
        }
    }

    /** Reads the rest of an SHB (type consumed) and starts a new section: byte order and interfaces reset. */
    private boolean readSectionHeader() throws IOException {
        if (readUpTo(head, 0, 8) < 8) {
            return false;
        }
        int magic = int32(head, 4, true);
        if (magic == BYTE_ORDER_MAGIC) {
            bigEndian = true;
        } else if (Integer.reverseBytes(magic) == BYTE_ORDER_MAGIC) {
            bigEndian = false;
        } else {
            throw new CaptureFormatException(String.format(
                    "%s: pcapng section header with byte-order magic 0x%08x", file, magic));
        }
        int length = int32(head, 0, bigEndian);
        if (length < 28 || (length & 3) != 0 || length > MAX_BLOCK) {
            throw new CaptureFormatException(file + ": pcapng section header of length " + length);
        }
        byte[] rest = new byte[length - 12];
        if (!readFully(rest, 0, rest.length)) {
            return false;
        }
        int major = uint16(rest, 0, bigEndian);
        if (major != 1) {
            throw new CaptureFormatException(file + ": pcapng major version " + major + " (only 1 exists)");
        }
        interfaces.clear();
        return true;
    }

    private Interface parseInterface(byte[] body, int bodyLength) throws CaptureFormatException {
        if (bodyLength < 8) {
            throw new CaptureFormatException(file + ": pcapng interface block too short");
        }
        int linkType = uint16(body, 0, bigEndian);
        int snapLength = int32(body, 4, bigEndian);
        long units = 1_000_000L; // default resolution: microseconds
        boolean decimal = true;
        long offset = 0;
        int pos = 8;
        while (pos + 4 <= bodyLength) {
            int code = uint16(body, pos, bigEndian);
            int length = uint16(body, pos + 2, bigEndian);
            int value = pos + 4;
            if (code == OPT_END || value + length > bodyLength) {
                break;
            }
            if (code == IF_TSRESOL && length >= 1) {
                int resolution = body[value] & 0xFF;
                int exponent = resolution & 0x7F;
                decimal = (resolution & 0x80) == 0;
                if (decimal ? exponent > 18 : exponent > 62) {
                    throw new CaptureFormatException(file + ": timestamp resolution 0x"
                            + Integer.toHexString(resolution) + " is finer than this reader supports");
                }
                units = decimal ? pow10(exponent) : 1L << exponent;
            } else if (code == IF_TSOFFSET && length >= 8) {
                long high = int32(body, value, bigEndian) & 0xFFFFFFFFL;
                long low = int32(body, value + 4, bigEndian) & 0xFFFFFFFFL;
                offset = bigEndian ? (high << 32) | low : (low << 32) | high;
            }
            pos = value + ((length + 3) & ~3);
        }
        return new Interface(linkType, snapLength, units, offset);
    }

    private CaptureRecord enhancedPacket(byte[] body, int bodyLength) throws CaptureFormatException {
        if (bodyLength < 20) {
            throw new CaptureFormatException(file + ": enhanced packet block too short");
        }
        int interfaceId = int32(body, 0, bigEndian);
        long high = int32(body, 4, bigEndian) & 0xFFFFFFFFL;
        long low = int32(body, 8, bigEndian) & 0xFFFFFFFFL;
        int captured = int32(body, 12, bigEndian);
        int original = int32(body, 16, bigEndian);
        return packet(interfaceId, (high << 32) | low, body, 20, captured, original, bodyLength);
    }

    private CaptureRecord obsoletePacket(byte[] body, int bodyLength) throws CaptureFormatException {
        if (bodyLength < 20) {
            throw new CaptureFormatException(file + ": packet block too short");
        }
        int interfaceId = uint16(body, 0, bigEndian);
        long high = int32(body, 4, bigEndian) & 0xFFFFFFFFL;
        long low = int32(body, 8, bigEndian) & 0xFFFFFFFFL;
        int captured = int32(body, 12, bigEndian);
        int original = int32(body, 16, bigEndian);
        return packet(interfaceId, (high << 32) | low, body, 20, captured, original, bodyLength);
    }

    /** SPBs belong to interface 0 and carry no timestamp: they get the previous packet's time (0 if none). */
    private CaptureRecord simplePacket(byte[] body, int bodyLength) throws CaptureFormatException {
        if (bodyLength < 4) {
            throw new CaptureFormatException(file + ": simple packet block too short");
        }
        Interface iface = interfaceAt(0);
        int original = int32(body, 0, bigEndian);
        int captured = Math.min(Math.max(original, 0), bodyLength - 4);
        if (iface.snapLength() > 0) {
            captured = Math.min(captured, iface.snapLength());
        }
        byte[] data = new byte[captured];
        System.arraycopy(body, 4, data, 0, captured);
        return new CaptureRecord(0, iface.linkType(), lastTimestampNs, Math.max(original, captured), data);
    }

    private CaptureRecord packet(int interfaceId, long timestamp, byte[] body, int dataOffset, int captured,
                                 int original, int bodyLength) throws CaptureFormatException {
        Interface iface = interfaceAt(interfaceId);
        if (captured < 0 || dataOffset + captured > bodyLength) {
            throw new CaptureFormatException(file + ": packet of " + Integer.toUnsignedString(captured)
                    + " bytes does not fit its block of " + bodyLength);
        }
        byte[] data = new byte[captured];
        System.arraycopy(body, dataOffset, data, 0, captured);
        lastTimestampNs = toNanos(timestamp, iface);
        return new CaptureRecord(interfaceId, iface.linkType(), lastTimestampNs, Math.max(original, captured), data);
    }

    private Interface interfaceAt(int id) throws CaptureFormatException {
        if (id < 0 || id >= interfaces.size()) {
            throw new CaptureFormatException(file + ": packet on interface " + id + " but the section describes "
                    + interfaces.size() + " interface(s)");
        }
        return interfaces.get(id);
    }

    static long toNanos(long timestamp, long unitsPerSecond, long offsetSeconds) {
        long seconds = Long.divideUnsigned(timestamp, unitsPerSecond);
        long fraction = Long.remainderUnsigned(timestamp, unitsPerSecond);
        long fractionNs;
        if (unitsPerSecond == 1_000_000_000L) {
            fractionNs = fraction;
        } else if (unitsPerSecond < 1_000_000_000L && 1_000_000_000L % unitsPerSecond == 0) {
            fractionNs = fraction * (1_000_000_000L / unitsPerSecond);
        } else {
            // binary or finer-than-ns resolutions: a double keeps ~15 significant digits, enough for ns
            fractionNs = (long) (fraction * (1e9 / unitsPerSecond));
        }
        return (seconds + offsetSeconds) * 1_000_000_000L + fractionNs;
    }

    private static long toNanos(long timestamp, Interface iface) {
        return toNanos(timestamp, iface.unitsPerSecond(), iface.offsetSeconds());
    }

    private static long pow10(int exponent) {
        long value = 1;
        for (int i = 0; i < exponent; i++) {
            value *= 10;
        }
        return value;
    }
}
