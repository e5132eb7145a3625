package io.tapflow.collector.pcap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The readers on the recorded files: formats, byte orders, time resolutions, interfaces, a cut last record. */
class CaptureFileReaderTest {

    @TempDir
    Path dir;

    @Test
    void bigEndianRawIpHasTheSameRecordsAsTheEthernetOriginal() throws IOException {
        List<CaptureRecord> ethernet = read("http-ipv4.pcap");
        List<CaptureRecord> raw = read("http-ipv4-raw-be.pcap");
        assertThat(ethernet).isNotEmpty().allSatisfy(r -> assertThat(r.linkType()).isEqualTo(LinkLayer.ETHERNET));
        assertThat(raw).hasSameSizeAs(ethernet).allSatisfy(r -> assertThat(r.linkType()).isEqualTo(LinkLayer.RAW));
        for (int i = 0; i < raw.size(); i++) {
            assertThat(raw.get(i).timestampNs()).isEqualTo(ethernet.get(i).timestampNs());
            assertThat(raw.get(i).data().length).isEqualTo(ethernet.get(i).data().length - 14);
        }
        // microsecond files: whole microseconds
        assertThat(ethernet).allSatisfy(r -> assertThat(r.timestampNs() % 1000).isZero());
    }

    @Test
    void pcapngKeepsEachInterfacesLinkTypeAndTimeResolution() throws IOException {
        List<CaptureRecord> mixed = read("mixed-interfaces.pcapng");
        List<CaptureRecord> nanos = read("http-ipv6-nano.pcap");
        List<CaptureRecord> sll2 = read("dns-sll2.pcap");
        assertThat(mixed).hasSize(nanos.size() + sll2.size());
        List<Long> fromNanos = mixed.stream().filter(r -> r.linkType() == LinkLayer.ETHERNET)
                .map(CaptureRecord::timestampNs).toList();
        List<Long> fromSll2 = mixed.stream().filter(r -> r.linkType() == LinkLayer.LINUX_SLL2)
                .map(CaptureRecord::timestampNs).toList();
        assertThat(fromNanos).containsExactlyElementsOf(nanos.stream().map(CaptureRecord::timestampNs).toList());
        assertThat(fromSll2).containsExactlyElementsOf(sll2.stream().map(CaptureRecord::timestampNs).toList());
        assertThat(fromNanos).anyMatch(ns -> ns % 1000 != 0);
        assertThat(mixed.stream().map(CaptureRecord::interfaceIndex).distinct()).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void dumpcapPcapngReadsLikeAnyCapture() throws IOException {
        List<CaptureRecord> records = read("redis.pcapng");
        assertThat(records).hasSizeGreaterThan(10)
                .allSatisfy(r -> assertThat(r.linkType()).isEqualTo(LinkLayer.ETHERNET));
        assertThat(records).isSortedAccordingTo((a, b) -> Long.compare(a.timestampNs(), b.timestampNs()));
    }

    @Test
    void aRecordCutByTheEndOfFileEndsTheInputAndIsCounted() throws IOException {
        List<CaptureRecord> whole = read("http-ipv4.pcap");
        try (CaptureFileReader reader = CaptureFileReader.open(ReplayCaptures.capture("http-ipv4-truncated.pcap"))) {
            int count = 0;
            while (reader.next() != null) {
                count++;
            }
            assertThat(count).isEqualTo(whole.size() - 1);
            assertThat(reader.truncatedRecords()).isEqualTo(1);
        }
    }

    @Test
    void aPcapngCutInsideABlockIsCounted() throws IOException {
        byte[] bytes = Files.readAllBytes(ReplayCaptures.capture("redis.pcapng"));
        Path cut = dir.resolve("cut.pcapng");
        // half way: inside the 100 kB value's segments (the file ends with a statistics block, so not at the end)
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        int whole = read("redis.pcapng").size();
        try (CaptureFileReader reader = CaptureFileReader.open(cut)) {
            int count = 0;
            while (reader.next() != null) {
                count++;
            }
            assertThat(count).isPositive().isLessThan(whole);
            assertThat(reader.truncatedRecords()).isEqualTo(1);
        }
    }

    @Test
    void notACaptureFileIsRefusedWithItsMagic() throws IOException {
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello, not a capture");
        assertThatThrownBy(() -> CaptureFileReader.open(text)).isInstanceOf(CaptureFormatException.class)
                .hasMessageContaining("not a pcap or pcapng file");
    }

    @Test
    void pcapngTimestampUnits() {
        assertThat(PcapngFileReader.toNanos(1_700_000_000_123_456L, 1_000_000L, 0)).isEqualTo(1_700_000_000_123_456_000L);
        assertThat(PcapngFileReader.toNanos(1_700_000_000_123_456_789L, 1_000_000_000L, 0))
                .isEqualTo(1_700_000_000_123_456_789L);
        assertThat(PcapngFileReader.toNanos(3L << 20 | 1L << 19, 1L << 20, 10)).isEqualTo(13_500_000_000L);
    }

    private static List<CaptureRecord> read(String name) throws IOException {
        List<CaptureRecord> records = new ArrayList<>();
        try (CaptureFileReader reader = CaptureFileReader.open(ReplayCaptures.capture(name))) {
            for (CaptureRecord r = reader.next(); r != null; r = reader.next()) {
                records.add(r);
            }
            assertThat(reader.truncatedRecords()).isZero();
        }
        return records;
    }
}
