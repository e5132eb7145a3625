package io.tapflow.collector.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Decoding edge cases on records of the real captures, with single header fields changed. */
class PacketDecoderTest {

    private final ReplayCounters counters = new ReplayCounters();
    private final PacketDecoder decoder = new PacketDecoder(counters);
    private List<CaptureRecord> dns;

    @BeforeEach
    void read() throws IOException {
        dns = new ArrayList<>();
        try (CaptureFileReader reader = CaptureFileReader.open(ReplayCaptures.capture("dns-sll2.pcap"))) {
            for (CaptureRecord r = reader.next(); r != null; r = reader.next()) {
                dns.add(r);
            }
        }
    }

    @Test
    void aRealDnsQueryDecodesAsUdp() {
        DecodedPacket packet = decoder.decode(dns.get(0));
        assertThat(packet).isNotNull();
        assertThat(packet.protocol).isEqualTo(DecodedPacket.UDP);
        assertThat(packet.payloadLength).isEqualTo(packet.payloadCaptured).isPositive();
    }

    @Test
    void ipv4FragmentsAreSkippedAndCounted() {
        CaptureRecord query = dns.get(0);
        byte[] moreFragments = query.data().clone();
        moreFragments[20 + 6] |= 0x20; // SLL2 header is 20 bytes; IPv4 flags: MF
        byte[] laterFragment = query.data().clone();
        laterFragment[20 + 7] = 0x10; // fragment offset 16 * 8 bytes
        assertThat(decoder.decode(withData(query, moreFragments))).isNull();
        assertThat(decoder.decode(withData(query, laterFragment))).isNull();
        assertThat(counters.get(ReplayCounter.IPV4_FRAGMENTS)).isEqualTo(2);
    }

    @Test
    void snapLengthCutPayloadIsCountedAndKeepsTheDeclaredLength() {
        CaptureRecord query = dns.get(0);
        byte[] cut = java.util.Arrays.copyOf(query.data(), query.data().length - 10);
        DecodedPacket packet = decoder.decode(new CaptureRecord(0, query.linkType(), query.timestampNs(),
                query.originalLength(), cut));
        assertThat(packet).isNotNull();
        assertThat(packet.payloadCaptured).isEqualTo(packet.payloadLength - 10);
        assertThat(counters.get(ReplayCounter.CUT_BY_SNAP_LENGTH)).isEqualTo(1);
    }

    @Test
    void otherLinkTypesAndNonIpFramesAreCounted() {
        CaptureRecord query = dns.get(0);
        assertThat(decoder.decode(new CaptureRecord(0, 147, 0, 10, query.data()))).isNull(); // LINKTYPE_USER0
        byte[] arp = query.data().clone();
        arp[0] = 0x08;
        arp[1] = 0x06; // SLL2 protocol field: ARP
        assertThat(decoder.decode(withData(query, arp))).isNull();
        assertThat(counters.get(ReplayCounter.UNSUPPORTED_LINK_TYPE)).isEqualTo(1);
        assertThat(counters.get(ReplayCounter.NOT_IP)).isEqualTo(1);
    }

    private static CaptureRecord withData(CaptureRecord record, byte[] data) {
        return new CaptureRecord(record.interfaceIndex(), record.linkType(), record.timestampNs(),
                record.originalLength(), data);
    }
}
