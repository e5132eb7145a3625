package io.tapflow.collector.pcap;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Classic libpcap files: 24-byte file header (magic already consumed), then 16-byte record headers. The magic's
 * byte order is the writer's, and {@code 0xa1b23c4d} means nanosecond instead of microsecond fractions.
 */
final class PcapFileReader extends CaptureFileReader {

    /** Larger than any snap length tcpdump accepts (262144); a bigger record length means a corrupt file. */
    private static final int MAX_RECORD = 1 << 24;

    private final Path file;
    private final boolean bigEndian;
    private final boolean nanos;
    private final int linkType;
    private final byte[] header = new byte[20];

    PcapFileReader(InputStream in, Path file, boolean bigEndian, boolean nanos) throws IOException {
        super(in);
        this.file = file;
        this.bigEndian = bigEndian;
        this.nanos = nanos;
        readRequired(header, 0, 20, "file header");
        // major, minor, thiszone, sigfigs, snaplen, then the link type; its upper 16 bits carry FCS flags
        this.linkType = int32(header, 16, bigEndian) & 0xFFFF;
    }

    int linkType() {
        return linkType;
    }

    @Override
    public CaptureRecord next() throws IOException {
        int got = readUpTo(header, 0, 16);
        if (got == 0) {
            return null;
        }
        if (got < 16) {
            countTruncated();
            return null;
        }
        long seconds = int32(header, 0, bigEndian) & 0xFFFFFFFFL;
        long fraction = int32(header, 4, bigEndian) & 0xFFFFFFFFL;
        int captured = int32(header, 8, bigEndian);
        int original = int32(header, 12, bigEndian);
        if (captured < 0 || captured > MAX_RECORD) {
            throw new CaptureFormatException(file + ": record length " + Integer.toUnsignedString(captured)
                    + " is not plausible (corrupt file?)");
        }
        byte[] data = new byte[captured];
        if (!readFully(data, 0, captured)) {
            countTruncated();
            return null;
        }
        long ns = seconds * 1_000_000_000L + (nanos ? fraction : fraction * 1_000L);
        return new CaptureRecord(0, linkType, ns, Math.max(original, captured), data);
    }
}
