package io.tapflow.collector.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.collector.pcap.PcapReplaySource;
import io.tapflow.collector.pcap.ReplayOptions;
import io.tapflow.collector.source.AgentIdentity;
import io.tapflow.collector.source.CaptureFilter;
import io.tapflow.collector.source.RawEventSource;
import io.tapflow.localstack.process.Binaries;
import io.tapflow.schema.Direction;
import io.tapflow.schema.Role;
import io.tapflow.schema.SocketDataEvent;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same real traffic (curl fetching from nginx on loopback) captured twice at once — live by the eBPF source, and
 * by tcpdump into a pcap that the replay source then turns into raw events — yields the same bytes at the same TCP
 * sequence numbers, for each role and direction. Syscall boundaries and packet boundaries differ, so the streams
 * are compared byte for byte by sequence number, not event by event.
 */
class LiveVersusReplayITCase {

    private static final AgentIdentity AGENT = new AgentIdentity("live-vs-replay", "it-host");

    @TempDir
    Path dir;

    @Test
    void replayOfATcpdumpCaptureMatchesLiveCaptureOfTheSameTraffic() throws Exception {
        Path pcap = dir.resolve("traffic.pcap");
        CapturedEvents live;
        try (NginxServer nginx = NginxServer.start()) {
            CaptureFilter onlyNginx = new CaptureFilter(Set.of(nginx.port), Set.of(), Set.of(), Set.of(), Set.of(),
                    Set.of(), CaptureFilter.MAX_PAYLOAD_BYTES, 1);
            Process tcpdump = new ProcessBuilder(Binaries.locate("tcpdump", "tcpdump").toString(), "-i", "lo",
                    "--immediate-mode", "-U", "-s", "0", "-w", pcap.toString(), "tcp port " + nginx.port)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("tcpdump.log").toFile()).start();
            live = new CapturedEvents(e -> e.getLocalPort() == nginx.port
                    || e.getRemotePort() == nginx.port, e -> false);
            try (BpfEventSource source = BpfEventSource.open(AGENT, onlyNginx,
                    BpfSettings.defaults().withPollTimeout(Duration.ofMillis(50)))) {
                waitForFile(pcap);
                for (int i = 0; i < 3; i++) {
                    var curl = ChildProcesses.run(List.of(NginxServer.curl(), "-s",
                            "http://127.0.0.1:" + nginx.port + "/same-traffic/" + i));
                    assertThat(curl.exitCode()).isZero();
                }
                assertThat(live.pollUntil(source, c -> c.data.stream().filter(e -> e.getRole() == Role.SERVER
                        && e.getDirection() == Direction.EGRESS).count() >= 3, Duration.ofSeconds(20)))
                        .as("nginx's 3 responses captured live").isTrue();
                live.pollFor(source, Duration.ofMillis(500));
            } finally {
                Thread.sleep(500); // tcpdump writes each packet at once (-U), but give the last FINs a moment
                tcpdump.destroy();
                tcpdump.waitFor(10, TimeUnit.SECONDS);
            }
        }

        CapturedEvents replayed = new CapturedEvents();
        try (PcapReplaySource source = PcapReplaySource.open(pcap, AGENT, CaptureFilter.defaults()
                        .withPayloadBytes(CaptureFilter.MAX_PAYLOAD_BYTES), ReplayOptions.defaults())) {
            while (source.poll(replayed, Duration.ofMillis(100)) != RawEventSource.END_OF_INPUT) {
                // drain
            }
        }

        for (Role role : List.of(Role.CLIENT, Role.SERVER)) {
            for (Direction direction : List.of(Direction.EGRESS, Direction.INGRESS)) {
                Map<Long, Byte> fromLive = bytesBySeq(live.data, role, direction);
                Map<Long, Byte> fromReplay = bytesBySeq(replayed.data, role, direction);
                assertThat(fromLive).as("%s %s bytes captured live", role, direction).hasSizeGreaterThan(100);
                assertThat(fromReplay).as("%s %s: the replay's bytes by tcp_seq equal live capture's", role,
                        direction).isEqualTo(fromLive);
            }
        }
        assertThat(text(live.data, Role.CLIENT, Direction.EGRESS)).contains("GET /same-traffic/2 HTTP/1.1");
        assertThat(text(replayed.data, Role.SERVER, Direction.EGRESS)).contains(NginxServer.BODY.strip());
    }

    /** Every captured byte of one role and direction, at its TCP sequence number. */
    private static Map<Long, Byte> bytesBySeq(List<SocketDataEvent> events, Role role, Direction direction) {
        Map<Long, Byte> bytes = new TreeMap<>();
        for (SocketDataEvent e : events) {
            if (e.getRole() != role || e.getDirection() != direction || e.getTcpSeq() == null) {
                continue;
            }
            ByteBuffer payload = e.getPayload().duplicate();
            for (long seq = e.getTcpSeq(); payload.hasRemaining(); seq++) {
                bytes.put(seq & 0xFFFF_FFFFL, payload.get());
            }
        }
        return bytes;
    }

    private static String text(List<SocketDataEvent> events, Role role, Direction direction) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (SocketDataEvent e : events) {
            if (e.getRole() == role && e.getDirection() == direction) {
                ByteBuffer payload = e.getPayload().duplicate();
                while (payload.hasRemaining()) {
                    out.write(payload.get());
                }
            }
        }
        return out.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static void waitForFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(file) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(file).as("tcpdump started writing").exists();
        Thread.sleep(300); // tcpdump opens the file before its capture is live on lo
    }
}
