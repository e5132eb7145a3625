package io.tapflow.collector.pcap;

import static io.tapflow.collector.pcap.ReplayCaptures.bytes;
import static io.tapflow.collector.pcap.ReplayCaptures.concat;
import static io.tapflow.collector.pcap.ReplayCaptures.follow;
import static io.tapflow.collector.pcap.ReplayCaptures.fullPayloadFilter;
import static io.tapflow.collector.pcap.ReplayCaptures.fullPayloadOptions;
import static io.tapflow.collector.pcap.ReplayCaptures.replay;
import static io.tapflow.collector.pcap.ReplayCaptures.segments;
import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.collector.pcap.ReplayCaptures.Collected;
import io.tapflow.collector.pcap.ReplayCaptures.FollowedDirection;
import io.tapflow.collector.pcap.ReplayCaptures.Segment;
import io.tapflow.collector.source.CaptureFilter;
import io.tapflow.schema.CloseType;
import io.tapflow.schema.Direction;
import io.tapflow.schema.IpFamily;
import io.tapflow.schema.L4Protocol;
import io.tapflow.schema.Role;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.Syscall;
import io.tapflow.schema.TcpEvent;
import io.tapflow.schema.TcpEventType;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The replay against real captures and tshark's independent view of them. */
class PcapReplaySourceTest {

    /**
     * Every TCP direction tshark reassembled comes out of the replay byte for byte: the sender's EGRESS payloads and
     * the receiver's INGRESS payloads, in data_seq order.
     */
    @ParameterizedTest
    @ValueSource(strings = {"http-ipv4.pcap", "http-ipv6-nano.pcap", "redis.pcapng", "redis-midstream-sll.pcap",
            "dns-sll2.pcap"})
    void payloadsReassembleToWhatTsharkFollowed(String capture) throws IOException {
        Collected events = replay(capture, fullPayloadFilter(), fullPayloadOptions());
        List<FollowedDirection> followed = follow(capture);
        assertThat(followed).isNotEmpty();
        for (FollowedDirection direction : followed) {
            List<Long> senders = events.data.stream().filter(e -> e.getL4Protocol() == L4Protocol.TCP)
                    .filter(e -> e.getLocalIp().equals(direction.senderIp())
                            && e.getLocalPort() == direction.senderPort()
                            && e.getRemoteIp().equals(direction.receiverIp())
                            && e.getRemotePort() == direction.receiverPort())
                    .map(SocketDataEvent::getSocketId).distinct().toList();
            if (direction.bytes().length == 0) {
                continue;
            }
            assertThat(senders).as("sockets at %s:%d", direction.senderIp(), direction.senderPort()).hasSize(1);
            long sender = senders.get(0);
            List<SocketDataEvent> sent = events.of(sender, Direction.EGRESS);
            assertThat(concat(sent)).as("bytes sent by %s:%d", direction.senderIp(), direction.senderPort())
                    .isEqualTo(direction.bytes());
            long receiver = peerOf(events, sender);
            assertThat(concat(events.of(receiver, Direction.INGRESS))).isEqualTo(direction.bytes());
        }
        assertThat(events.data).allSatisfy(e -> {
            assertThat(e.getPayloadTruncated()).isFalse();
            assertThat((long) e.getPayload().remaining()).isEqualTo(e.getByteCount());
        });
    }

    /**
     * With events not split below a segment, every event starts exactly at a segment tshark saw, tcp_seq equal to
     * the raw TCP header seq; the receiver's READ carries the same number; sequence numbers and data_seq are
     * contiguous per socket and direction.
     */
    @ParameterizedTest
    @ValueSource(strings = {"http-ipv4.pcap", "http-ipv6-nano.pcap", "redis.pcapng", "redis-midstream-sll.pcap",
            "mixed-interfaces.pcapng"})
    void tcpSeqIsTheRawHeaderSeqAndDataSeqIsContiguous(String capture) throws IOException {
        Collected events = replay(capture, CaptureFilter.defaults(), ReplayOptions.defaults().withMaxEventBytes(1 << 20));
        List<Segment> segments = segments(capture);
        Set<String> segmentStarts = segments.stream().map(s -> s.sourcePort() + "/" + s.seqRaw())
                .collect(Collectors.toSet());
        long tcpBytes = segments.stream().mapToLong(Segment::length).sum();
        List<SocketDataEvent> tcpEgress = events.data.stream()
                .filter(e -> e.getL4Protocol() == L4Protocol.TCP && e.getDirection() == Direction.EGRESS).toList();
        assertThat(tcpEgress).isNotEmpty();
        assertThat(tcpEgress.stream().mapToLong(SocketDataEvent::getByteCount).sum()).isEqualTo(tcpBytes);
        for (SocketDataEvent event : tcpEgress) {
            assertThat(segmentStarts).as("a segment from port %d starts at seq %d", event.getLocalPort(),
                    event.getTcpSeq()).contains(event.getLocalPort() + "/" + event.getTcpSeq());
        }
        for (Map.Entry<Long, List<SocketDataEvent>> socket : events.bySocket().entrySet()) {
            for (Direction direction : List.of(Direction.EGRESS, Direction.INGRESS)) {
                List<SocketDataEvent> list = socket.getValue().stream()
                        .filter(e -> e.getDirection() == direction).toList();
                long dataSeq = 0;
                for (int i = 0; i < list.size(); i++) {
                    SocketDataEvent e = list.get(i);
                    assertThat(e.getDataSeq()).isEqualTo(dataSeq);
                    dataSeq += e.getByteCount();
                    if (i > 0 && e.getL4Protocol() == L4Protocol.TCP) {
                        SocketDataEvent previous = list.get(i - 1);
                        assertThat(e.getTcpSeq())
                                .isEqualTo((previous.getTcpSeq() + previous.getByteCount()) & 0xFFFFFFFFL);
                    }
                }
            }
        }
        // the peer reads what was written: same tcp_seq, same length, in the same order
        for (SocketDataEvent write : tcpEgress) {
            long peer = peerOf(events, write.getSocketId());
            assertThat(events.of(peer, Direction.INGRESS)).anySatisfy(read -> {
                assertThat(read.getTcpSeq()).isEqualTo(write.getTcpSeq());
                assertThat(read.getByteCount()).isEqualTo(write.getByteCount());
                assertThat(read.getTimestampNs()).isGreaterThanOrEqualTo(write.getTimestampNs());
            });
        }
    }

    @Test
    void httpExchangeHasClientAndServerSocketsWithTheirLifeCycle() throws IOException {
        Collected events = replay("http-ipv4.pcap", fullPayloadFilter(), fullPayloadOptions());
        List<Segment> segments = segments("http-ipv4.pcap");
        int serverPort = segments.get(0).destinationPort();
        int clientPort = segments.get(0).sourcePort();
        long client = tcpSocketsAt(events, "127.0.0.1", clientPort).get(0);
        long server = peerOf(events, client);
        SocketDataEvent firstWrite = events.of(client, Direction.EGRESS).get(0);
        assertThat(firstWrite.getRole()).isEqualTo(Role.CLIENT);
        assertThat(firstWrite.getSyscall()).isEqualTo(Syscall.WRITE);
        assertThat(firstWrite.getIpFamily()).isEqualTo(IpFamily.IPV4);
        assertThat(firstWrite.getRemotePort()).isEqualTo(serverPort);
        assertThat(firstWrite.getPid()).isZero();
        assertThat(firstWrite.getFd()).isZero();
        assertThat(firstWrite.getComm()).isEqualTo("pcap");
        assertThat(firstWrite.getThreadTraceId()).isZero();
        assertThat(firstWrite.getAgentId()).isEqualTo("agent-test");
        assertThat(new String(bytes(firstWrite.getPayload()))).startsWith("GET /index.html HTTP/1.1\r\n");
        SocketDataEvent firstRead = events.of(server, Direction.INGRESS).get(0);
        assertThat(firstRead.getRole()).isEqualTo(Role.SERVER);
        assertThat(firstRead.getSyscall()).isEqualTo(Syscall.READ);
        assertThat(firstRead.getLocalPort()).isEqualTo(serverPort);
        // the 183 kB body, as nginx served it, follows the response head in the server's writes
        byte[] served = concat(events.of(server, Direction.EGRESS));
        assertThat(indexOf(served, ReplayCaptures.largeFile())).isPositive();

        assertThat(types(events.tcpOf(client))).containsExactly(
                TcpEventType.CONNECT_START, TcpEventType.CONNECT_ESTABLISHED, TcpEventType.CLOSE);
        assertThat(types(events.tcpOf(server))).containsExactly(TcpEventType.ACCEPT, TcpEventType.CLOSE);
        TcpEvent established = events.tcpOf(client).get(1);
        TcpEvent start = events.tcpOf(client).get(0);
        assertThat(established.getConnectLatencyNs()).isPositive()
                .isEqualTo(established.getTimestampNs() - start.getTimestampNs());
        assertThat(start.getLocalPort()).isZero();
        for (long socket : List.of(client, server)) {
            TcpEvent close = events.tcpOf(socket).get(events.tcpOf(socket).size() - 1);
            assertThat(close.getCloseType()).isEqualTo(CloseType.NORMAL);
            assertThat(close.getTcpStateNew()).isEqualTo("TCP_CLOSE");
            assertThat(close.getRetransmitCount()).isZero();
            long sent = events.of(socket, Direction.EGRESS).stream().mapToLong(SocketDataEvent::getByteCount).sum();
            assertThat(close.getBytesAcked()).isEqualTo(sent);
        }
        // the connect to a closed port: refused by a RST, no server socket
        List<TcpEvent> failed = events.tcp.stream().filter(e -> e.getType() == TcpEventType.CONNECT_FAILED).toList();
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).getCloseType()).isEqualTo(CloseType.CONNECT_FAILED);
        assertThat(failed.get(0).getConnectLatencyNs()).isNotNegative();
        assertThat(events.tcp).noneMatch(e -> e.getType() == TcpEventType.RETRANSMIT);
    }

    @Test
    void httpCountersSayWhatWasInTheFile() throws IOException {
        try (PcapReplaySource source = PcapReplaySource.open(ReplayCaptures.capture("http-ipv4.pcap"),
                ReplayCaptures.AGENT, CaptureFilter.defaults(), ReplayOptions.defaults())) {
            Collected events = new Collected();
            ReplayCaptures.drain(source, events);
            ReplayCounters counters = source.counters();
            assertThat(counters.get(ReplayCounter.TCP_CONNECTIONS)).isEqualTo(3);
            assertThat(counters.get(ReplayCounter.TCP_CONNECTIONS_WITHOUT_HANDSHAKE)).isZero();
            assertThat(counters.get(ReplayCounter.RETRANSMITTED_SEGMENTS)).isZero();
            assertThat(counters.get(ReplayCounter.GAPS)).isZero();
            assertThat(counters.get(ReplayCounter.SOCKET_DATA_EVENTS)).isEqualTo(events.data.size());
            assertThat(counters.get(ReplayCounter.TCP_EVENTS)).isEqualTo(events.tcp.size());
            assertThat(source.sourceDrops()).isZero();
        }
    }

    @Test
    void ipv6AddressesAndNanosecondTimestamps() throws IOException {
        Collected events = replay("http-ipv6-nano.pcap", CaptureFilter.defaults(), ReplayOptions.defaults());
        assertThat(events.data).isNotEmpty().allSatisfy(e -> {
            assertThat(e.getIpFamily()).isEqualTo(IpFamily.IPV6);
            assertThat(e.getLocalIp()).isEqualTo("::1");
            assertThat(e.getRemoteIp()).isEqualTo("::1");
        });
        assertThat(events.data).anyMatch(e -> e.getTimestampNs() % 1000 != 0);
    }

    @Test
    void midStreamConnectionTakesTheLowerPortAsServer() throws IOException {
        try (PcapReplaySource source = PcapReplaySource.open(ReplayCaptures.capture("redis-midstream-sll.pcap"),
                ReplayCaptures.AGENT, CaptureFilter.defaults(), ReplayOptions.defaults())) {
            Collected events = new Collected();
            ReplayCaptures.drain(source, events);
            assertThat(source.counters().get(ReplayCounter.TCP_CONNECTIONS_WITHOUT_HANDSHAKE)).isEqualTo(1);
            Segment first = segments("redis-midstream-sll.pcap").get(0);
            int redisPort = Math.min(first.sourcePort(), first.destinationPort());
            assertThat(events.data).allSatisfy(e -> assertThat(e.getRole())
                    .isEqualTo(e.getLocalPort() == redisPort ? Role.SERVER : Role.CLIENT));
            assertThat(types(events.tcp)).doesNotContain(TcpEventType.CONNECT_START, TcpEventType.ACCEPT)
                    .contains(TcpEventType.CLOSE);
            // the first bytes seen are where data_seq starts
            assertThat(events.data.get(0).getDataSeq()).isZero();
            assertThat(events.data.get(0).getTcpSeq()).isEqualTo(first.seqRaw());
        }
    }

    @Test
    void udpDatagramsAreOneSendAndOneReceiveEach() throws IOException {
        Collected events = replay("dns-sll2.pcap", CaptureFilter.defaults(), ReplayOptions.defaults());
        List<SocketDataEvent> udp = events.data.stream().filter(e -> e.getL4Protocol() == L4Protocol.UDP).toList();
        assertThat(udp).hasSize(12); // 3 queries and 3 answers, each seen by both sockets
        assertThat(udp).allSatisfy(e -> {
            assertThat(e.getTcpSeq()).isNull();
            assertThat(e.getSyscall()).isEqualTo(e.getDirection() == Direction.EGRESS ? Syscall.SENDTO : Syscall.RECVFROM);
            assertThat(e.getRole()).isEqualTo(e.getLocalPort() < e.getRemotePort() ? Role.SERVER : Role.CLIENT);
        });
        // a query's DNS id comes back in its answer
        List<SocketDataEvent> queries = udp.stream()
                .filter(e -> e.getRole() == Role.CLIENT && e.getDirection() == Direction.EGRESS).toList();
        assertThat(queries).hasSize(3);
        for (SocketDataEvent query : queries) {
            SocketDataEvent answer = events.of(query.getSocketId(), Direction.INGRESS).get(0);
            assertThat(bytes(answer.getPayload())[0]).isEqualTo(bytes(query.getPayload())[0]);
            assertThat(bytes(answer.getPayload())[1]).isEqualTo(bytes(query.getPayload())[1]);
        }
    }

    /** The same packets in other framings (byte order, raw IP, BSD null, VLAN tag) replay to identical events. */
    @ParameterizedTest
    @ValueSource(strings = {"http-ipv4-raw-be.pcap", "http-ipv4-null.pcap", "http-ipv4-vlan.pcap"})
    void otherFramingsOfTheSamePacketsReplayIdentically(String variant) throws IOException {
        Collected original = replay("http-ipv4.pcap", CaptureFilter.defaults(), ReplayOptions.defaults());
        Collected framed = replay(variant, CaptureFilter.defaults(), ReplayOptions.defaults());
        assertThat(framed.data).isEqualTo(original.data);
        assertThat(framed.tcp).isEqualTo(original.tcp);
    }

    @Test
    void twoInterfacesOfOnePcapngReplayLikeTheirOwnFiles() throws IOException {
        Collected mixed = replay("mixed-interfaces.pcapng", CaptureFilter.defaults(), ReplayOptions.defaults());
        Collected ipv6 = replay("http-ipv6-nano.pcap", CaptureFilter.defaults(), ReplayOptions.defaults());
        Collected dns = replay("dns-sll2.pcap", CaptureFilter.defaults(), ReplayOptions.defaults());
        Set<SocketDataEvent> separate = new HashSet<>(ipv6.data);
        separate.addAll(dns.data);
        assertThat(new HashSet<>(mixed.data)).isEqualTo(separate);
        assertThat(mixed.data).hasSize(ipv6.data.size() + dns.data.size());
    }

    @Test
    void aRecordCutByTheEndOfTheFileIsASourceDropAndEverythingBeforeItReplays() throws IOException {
        Collected original = replay("http-ipv4.pcap", CaptureFilter.defaults(), ReplayOptions.defaults());
        try (PcapReplaySource source = PcapReplaySource.open(ReplayCaptures.capture("http-ipv4-truncated.pcap"),
                ReplayCaptures.AGENT, CaptureFilter.defaults(), ReplayOptions.defaults())) {
            Collected cut = new Collected();
            ReplayCaptures.drain(source, cut);
            assertThat(source.sourceDrops()).isEqualTo(1);
            assertThat(source.counters().get(ReplayCounter.TRUNCATED_RECORDS)).isEqualTo(1);
            assertThat(cut.data).isEqualTo(original.data);
            // the cut record was the RST refusing the last connect
            assertThat(types(cut.tcp)).doesNotContain(TcpEventType.CONNECT_FAILED);
            assertThat(types(original.tcp)).contains(TcpEventType.CONNECT_FAILED);
        }
    }

    @Test
    void payloadIsCappedAtTheFilterSizeAndByteCountKeepsTheFullLength() throws IOException {
        Collected events = replay("http-ipv4.pcap", CaptureFilter.defaults(), ReplayOptions.defaults());
        long sent = events.data.stream().filter(e -> e.getDirection() == Direction.EGRESS)
                .mapToLong(SocketDataEvent::getByteCount).sum();
        assertThat(sent).isEqualTo(segments("http-ipv4.pcap").stream().mapToLong(Segment::length).sum());
        assertThat(events.data).allSatisfy(e -> {
            assertThat(e.getByteCount()).isLessThanOrEqualTo(ReplayOptions.DEFAULT_MAX_EVENT_BYTES);
            assertThat(e.getPayload().remaining()).isEqualTo((int) Math.min(e.getByteCount(), 1024));
            assertThat(e.getPayloadTruncated()).isEqualTo(e.getByteCount() > 1024);
        });
        assertThat(events.data).anyMatch(SocketDataEvent::getPayloadTruncated);
        // the 183 kB response is coalesced into 64 KiB calls, not one event per segment
        assertThat(events.data).anyMatch(e -> e.getByteCount() == ReplayOptions.DEFAULT_MAX_EVENT_BYTES);
    }

    @Test
    void loopsRepeatTheCaptureWithNewSocketIdsAndLaterTimes() throws IOException {
        Collected once = replay("redis.pcapng", CaptureFilter.defaults(), ReplayOptions.defaults());
        Collected thrice = replay("redis.pcapng", CaptureFilter.defaults(), ReplayOptions.defaults().withLoops(3));
        assertThat(thrice.data).hasSize(3 * once.data.size());
        assertThat(thrice.bySocket()).hasSize(3 * once.bySocket().size());
        long endOfFirst = once.data.stream().mapToLong(SocketDataEvent::getTimestampNs).max().orElseThrow();
        List<SocketDataEvent> second = thrice.data.subList(once.data.size(), 2 * once.data.size());
        assertThat(second).allSatisfy(e -> assertThat(e.getTimestampNs()).isGreaterThan(endOfFirst));
        assertThat(second.get(0).getTcpSeq()).isEqualTo(once.data.get(0).getTcpSeq());
    }

    @Test
    void socketIdsAreDeterministic() throws IOException {
        Collected first = replay("redis.pcapng", CaptureFilter.defaults(), ReplayOptions.defaults());
        Collected second = replay("redis.pcapng", CaptureFilter.defaults(), ReplayOptions.defaults());
        assertThat(second.bySocket().keySet()).containsExactlyElementsOf(first.bySocket().keySet());
    }

    @Test
    void deniedPortsAndSamplingExcludeWholeConnections() throws IOException {
        int redisPort = segments("redis.pcapng").get(0).destinationPort();
        Collected denied = replay("redis.pcapng", CaptureFilter.defaults().withDenyPorts(Set.of(redisPort)),
                ReplayOptions.defaults());
        assertThat(denied.data).isEmpty();
        assertThat(denied.tcp).isEmpty();

        Collected all = replay("redis.pcapng", CaptureFilter.defaults(), ReplayOptions.defaults());
        CaptureFilter sampled = new CaptureFilter(Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), 1024, 2);
        Collected half = replay("redis.pcapng", sampled, ReplayOptions.defaults());
        // whole connections: both sockets of a kept connection are there
        assertThat(half.bySocket().size() % 2).isZero();
        assertThat(half.bySocket().size()).isLessThanOrEqualTo(all.bySocket().size());
        for (long socket : half.bySocket().keySet()) {
            assertThat(half.of(socket, Direction.EGRESS)).isEqualTo(all.of(socket, Direction.EGRESS));
        }
    }

    @Test
    void realTimeReplayKeepsTheCapturePace() throws IOException {
        // the mid-stream capture spans ~2.5 s; at 5x it takes ~0.5 s
        long t0 = System.nanoTime();
        Collected events = replay("redis-midstream-sll.pcap", CaptureFilter.defaults(),
                ReplayOptions.defaults().withSpeed(5));
        long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(events.data).isNotEmpty();
        assertThat(elapsedMs).isBetween(400L, 2400L);
    }

    private static List<TcpEventType> types(List<TcpEvent> events) {
        return events.stream().map(TcpEvent::getType).toList();
    }

    private static List<Long> tcpSocketsAt(Collected events, String ip, int port) {
        return events.data.stream().filter(e -> e.getL4Protocol() == L4Protocol.TCP)
                .filter(e -> e.getLocalIp().equals(ip) && e.getLocalPort() == port)
                .map(SocketDataEvent::getSocketId).distinct().toList();
    }

    /** The other socket of the connection: its local end is this socket's remote end. */
    static long peerOf(Collected events, long socketId) {
        SocketDataEvent mine = events.data.stream().filter(e -> e.getSocketId() == socketId).findFirst().orElseThrow();
        return events.data.stream()
                .filter(e -> e.getSocketId() != socketId && e.getL4Protocol() == mine.getL4Protocol())
                .filter(e -> e.getLocalIp().equals(mine.getRemoteIp()) && e.getLocalPort() == mine.getRemotePort()
                        && e.getRemotePort() == mine.getLocalPort())
                .map(SocketDataEvent::getSocketId).findFirst().orElseThrow();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
