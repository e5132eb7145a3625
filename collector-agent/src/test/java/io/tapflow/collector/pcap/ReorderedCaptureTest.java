package io.tapflow.collector.pcap;

import static io.tapflow.collector.pcap.ReplayCaptures.replay;
import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.collector.pcap.ReplayCaptures.Collected;
import io.tapflow.collector.source.CaptureFilter;
import io.tapflow.schema.Direction;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import io.tapflow.schema.TcpEventType;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recorded http-ipv4.pcap with its packets re-arranged the way lossy networks do it — two segments swapped, one
 * sent twice, one never captured — written back as a pcap: the replay must deliver the same bytes (or count the
 * hole), not re-emit duplicates, and say what it saw.
 */
class ReorderedCaptureTest {

    @TempDir
    Path dir;

    private List<CaptureRecord> records;
    /** Indexes of the server's 32 kB body segments. */
    private List<Integer> bodySegments;
    private Collected original;

    @BeforeEach
    void readOriginal() throws IOException {
        records = new ArrayList<>();
        try (CaptureFileReader reader = CaptureFileReader.open(ReplayCaptures.capture("http-ipv4.pcap"))) {
            for (CaptureRecord r = reader.next(); r != null; r = reader.next()) {
                records.add(r);
            }
        }
        PacketDecoder decoder = new PacketDecoder(new ReplayCounters());
        bodySegments = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            DecodedPacket packet = decoder.decode(records.get(i));
            if (packet != null && packet.payloadLength == 32768) {
                bodySegments.add(i);
            }
        }
        assertThat(bodySegments).hasSizeGreaterThanOrEqualTo(3);
        original = replay("http-ipv4.pcap", CaptureFilter.defaults(), ReplayOptions.defaults());
    }

    @Test
    void swappedSegmentsAreDeliveredInSequenceOrder() throws IOException {
        int a = bodySegments.get(1);
        int b = bodySegments.get(2);
        List<CaptureRecord> swapped = new ArrayList<>(records);
        swapped.set(a, records.get(b));
        swapped.set(b, records.get(a));
        ReplayRun run = run(swapped);
        assertThat(run.events.data).isEqualTo(original.data);
        assertThat(run.counters.get(ReplayCounter.REORDERED_SEGMENTS)).isEqualTo(1);
        assertThat(run.counters.get(ReplayCounter.GAPS)).isZero();
        assertThat(run.counters.get(ReplayCounter.RETRANSMITTED_SEGMENTS)).isZero();
    }

    @Test
    void aSegmentSentTwiceIsEmittedOnceAndCountedAsRetransmission() throws IOException {
        int a = bodySegments.get(1);
        List<CaptureRecord> doubled = new ArrayList<>(records);
        doubled.add(a + 1, records.get(a));
        ReplayRun run = run(doubled);
        assertThat(run.events.data).isEqualTo(original.data);
        assertThat(run.counters.get(ReplayCounter.RETRANSMITTED_SEGMENTS)).isEqualTo(1);
        assertThat(run.counters.get(ReplayCounter.RETRANSMITTED_BYTES)).isEqualTo(32768);
        List<TcpEvent> retransmits = run.events.tcp.stream()
                .filter(e -> e.getType() == TcpEventType.RETRANSMIT).toList();
        assertThat(retransmits).hasSize(1);
        long server = retransmits.get(0).getSocketId();
        assertThat(run.events.of(server, Direction.EGRESS)).isNotEmpty()
                .allSatisfy(e -> assertThat(e.getRole()).isEqualTo(io.tapflow.schema.Role.SERVER));
        TcpEvent close = run.events.tcpOf(server).stream().filter(e -> e.getType() == TcpEventType.CLOSE)
                .findFirst().orElseThrow();
        assertThat(close.getRetransmitCount()).isEqualTo(1);
    }

    @Test
    void aSegmentNeverCapturedIsAGapAndTheRestStillFlows() throws IOException {
        int lost = bodySegments.get(1);
        List<CaptureRecord> withHole = new ArrayList<>(records);
        withHole.remove(lost);
        ReplayRun run = run(withHole);
        assertThat(run.counters.get(ReplayCounter.GAPS)).isEqualTo(1);
        assertThat(run.counters.get(ReplayCounter.GAP_BYTES)).isEqualTo(32768);
        long originalBytes = original.data.stream().filter(e -> e.getDirection() == Direction.EGRESS)
                .mapToLong(SocketDataEvent::getByteCount).sum();
        long bytes = run.events.data.stream().filter(e -> e.getDirection() == Direction.EGRESS)
                .mapToLong(SocketDataEvent::getByteCount).sum();
        assertThat(bytes).isEqualTo(originalBytes - 32768);
        // data_seq counts the bytes seen, so it stays contiguous; tcp_seq shows the hole
        for (var socket : run.events.bySocket().values()) {
            long expected = 0;
            for (SocketDataEvent e : socket.stream().filter(e -> e.getDirection() == Direction.EGRESS).toList()) {
                assertThat(e.getDataSeq()).isEqualTo(expected);
                expected += e.getByteCount();
            }
        }
    }

    /** A tiny reorder budget: the replay gives up waiting, counts a gap, and delivers what it held. */
    @Test
    void reorderingIsBounded() throws IOException {
        int a = bodySegments.get(1);
        int b = bodySegments.get(2);
        List<CaptureRecord> swapped = new ArrayList<>(records);
        swapped.set(a, records.get(b));
        swapped.set(b, records.get(a));
        ReplayRun run = run(swapped, ReplayOptions.defaults().withReorderBytes(1000));
        assertThat(run.counters.get(ReplayCounter.GAPS)).isEqualTo(1);
        // the late segment then is entirely before the delivery point: a duplicate, not emitted
        assertThat(run.counters.get(ReplayCounter.RETRANSMITTED_SEGMENTS)).isEqualTo(1);
    }

    private record ReplayRun(Collected events, ReplayCounters counters) {}

    private ReplayRun run(List<CaptureRecord> packets) throws IOException {
        return run(packets, ReplayOptions.defaults());
    }

    private ReplayRun run(List<CaptureRecord> packets, ReplayOptions options) throws IOException {
        Path file = dir.resolve("variant.pcap");
        writePcap(file, packets);
        Collected events = new Collected();
        try (PcapReplaySource source = PcapReplaySource.open(file, ReplayCaptures.AGENT, CaptureFilter.defaults(),
                options)) {
            ReplayCaptures.drain(source, events);
            return new ReplayRun(events, source.counters());
        }
    }

    /** Classic little-endian nanosecond pcap: keeps the records' exact times. */
    private static void writePcap(Path file, List<CaptureRecord> packets) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(0xA1B23C4D).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144)
                    .putInt(packets.get(0).linkType());
            out.write(header.array());
            for (CaptureRecord r : packets) {
                ByteBuffer rh = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
                rh.putInt((int) (r.timestampNs() / 1_000_000_000L)).putInt((int) (r.timestampNs() % 1_000_000_000L))
                        .putInt(r.data().length).putInt(r.originalLength());
                out.write(rh.array());
                out.write(r.data());
            }
        }
    }
}
