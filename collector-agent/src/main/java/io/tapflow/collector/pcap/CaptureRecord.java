package io.tapflow.collector.pcap;

/**
 * One packet record of a capture file, as stored: the link-layer frame the capture tool kept.
 *
 * @param interfaceIndex pcapng interface id (0 for classic pcap)
 * @param linkType LINKTYPE_* value of the record's interface (see {@link LinkLayer})
 * @param timestampNs capture time, nanoseconds since the Unix epoch
 * @param originalLength length of the packet on the wire; larger than {@code data.length} when the snap length cut it
 * @param data the captured bytes
 */
public record CaptureRecord(int interfaceIndex, int linkType, long timestampNs, int originalLength, byte[] data) {

    /** Whether the capture tool kept fewer bytes than the packet had (snap length). */
    public boolean cutBySnapLength() {
        return originalLength > data.length;
    }
}
