package io.tapflow.collector.pcap;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the packet records of a capture file, pcap or pcapng, chosen by the file's magic number. A record cut short
 * by the end of the file (the capture tool was killed mid-write) ends the input and is counted in {@link
 * #truncatedRecords()}, never thrown: everything before it is good data.
 */
public abstract class CaptureFileReader implements AutoCloseable {

    static final int PCAP_MICROS = 0xA1B2C3D4;
    static final int PCAP_NANOS = 0xA1B23C4D;
    static final int PCAPNG_SECTION = 0x0A0D0D0A;

    private final InputStream in;
    private long truncatedRecords;

    CaptureFileReader(InputStream in) {
        this.in = in;
    }

    /** Opens {@code file}, detecting pcap (either byte order, µs or ns) or pcapng from its first four bytes. */
    public static CaptureFileReader open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            byte[] magic = new byte[4];
            if (in.readNBytes(magic, 0, 4) < 4) {
                throw new CaptureFormatException(file + ": too short for a capture file");
            }
            int big = ((magic[0] & 0xFF) << 24) | ((magic[1] & 0xFF) << 16) | ((magic[2] & 0xFF) << 8)
                    | (magic[3] & 0xFF);
            int little = Integer.reverseBytes(big);
            if (big == PCAPNG_SECTION) {
                return new PcapngFileReader(in, file);
            }
            if (big == PCAP_MICROS || big == PCAP_NANOS) {
                return new PcapFileReader(in, file, true, big == PCAP_NANOS);
            }
            if (little == PCAP_MICROS || little == PCAP_NANOS) {
                return new PcapFileReader(in, file, false, little == PCAP_NANOS);
            }
            throw new CaptureFormatException(String.format(
                    "%s: not a pcap or pcapng file (magic 0x%08x)", file, big));
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** The next packet record, or null at the end of the file (or at a record cut short by it). */
    public abstract CaptureRecord next() throws IOException;

    /** Records lost because the file ended inside them (0 or 1 for a file that simply stops). */
    public long truncatedRecords() {
        return truncatedRecords;
    }

    void countTruncated() {
        truncatedRecords++;
    }

    /**
     * Reads exactly {@code length} bytes; false when the file ends first, at any point (a partial read means the
     * last block was cut short, which callers count as a truncated record).
     */
    boolean readFully(byte[] buffer, int offset, int length) throws IOException {
        return in.readNBytes(buffer, offset, length) == length;
    }

    /** Reads up to {@code length} bytes, fewer only at the end of the file; returns how many. */
    int readUpTo(byte[] buffer, int offset, int length) throws IOException {
        return in.readNBytes(buffer, offset, length);
    }

    /** Reads exactly {@code length} bytes or throws {@link EOFException} (for headers that must be complete). */
    void readRequired(byte[] buffer, int offset, int length, String what) throws IOException {
        if (!readFully(buffer, offset, length)) {
            throw new EOFException("capture file ends inside its " + what);
        }
    }

    void skip(long bytes) throws IOException {
        in.skipNBytes(bytes);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    static int int32(byte[] b, int offset, boolean bigEndian) {
        int v = ((b[offset] & 0xFF) << 24) | ((b[offset + 1] & 0xFF) << 16) | ((b[offset + 2] & 0xFF) << 8)
                | (b[offset + 3] & 0xFF);
        return bigEndian ? v : Integer.reverseBytes(v);
    }

    static int uint16(byte[] b, int offset, boolean bigEndian) {
        int v = ((b[offset] & 0xFF) << 8) | (b[offset + 1] & 0xFF);
        return bigEndian ? v : Integer.reverseBytes(v) >>> 16;
    }
}
