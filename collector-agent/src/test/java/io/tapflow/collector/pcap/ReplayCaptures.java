package io.tapflow.collector.pcap;

import io.tapflow.collector.source.AgentIdentity;
import io.tapflow.collector.source.CaptureFilter;
import io.tapflow.collector.source.RawEventSink;
import io.tapflow.collector.source.RawEventSource;
import io.tapflow.schema.Direction;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The recorded captures (src/test/resources/captures, made by captures/record.sh) and what tshark saw in them,
 * plus a replay that collects everything a source emits.
 */
final class ReplayCaptures {

    static final AgentIdentity AGENT = new AgentIdentity("agent-test", "host-test");

    /** The body nginx served as /large.txt (record.sh generates the same text). */
    static byte[] largeFile() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            text.append(String.format("collector replay line %06d padding padding padding padding%n", i));
        }
        return text.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    static Path capture(String name) {
        URL url = ReplayCaptures.class.getResource("/captures/" + name);
        if (url == null) {
            throw new IllegalStateException("missing test capture " + name + " (run collector-agent/captures/record.sh)");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One TCP data segment as tshark dissected it. */
    record Segment(int stream, String sourceIp, int sourcePort, int destinationPort, long seqRaw, int length) {}

    static List<Segment> segments(String captureName) {
        String base = captureName.substring(0, captureName.lastIndexOf('.'));
        try {
            List<Segment> segments = new ArrayList<>();
            for (String line : Files.readAllLines(capture(base + ".segments.tsv"))) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                String ip = f[1].isEmpty() ? f[2] : f[1];
                segments.add(new Segment(Integer.parseInt(f[0]), ip, Integer.parseInt(f[3]), Integer.parseInt(f[4]),
                        Long.parseLong(f[5]), Integer.parseInt(f[6])));
            }
            return segments;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One direction of a TCP stream as tshark reassembled it ("follow,tcp,raw"). */
    record FollowedDirection(String senderIp, int senderPort, String receiverIp, int receiverPort, byte[] bytes) {}

    /** Per stream: both directions (sender address as tshark prints it, without IPv6 brackets). */
    static List<FollowedDirection> follow(String captureName) {
        String base = captureName.substring(0, captureName.lastIndexOf('.'));
        List<FollowedDirection> result = new ArrayList<>();
        try {
            String[] nodes = new String[2];
            ByteArrayOutputStream[] data = null;
            for (String line : Files.readAllLines(capture(base + ".follow"))) {
                if (line.startsWith("Node 0: ") || line.startsWith("Node 1: ")) {
                    nodes[line.charAt(5) - '0'] = line.substring(8);
                    if (line.startsWith("Node 1: ")) {
                        data = new ByteArrayOutputStream[] {new ByteArrayOutputStream(), new ByteArrayOutputStream()};
                    }
                } else if (line.startsWith("=====")) {
                    if (data != null) {
                        for (int n = 0; n < 2; n++) {
                            String[] sender = endpoint(nodes[n]);
                            String[] receiver = endpoint(nodes[1 - n]);
                            result.add(new FollowedDirection(sender[0], Integer.parseInt(sender[1]), receiver[0],
                                    Integer.parseInt(receiver[1]), data[n].toByteArray()));
                        }
                        data = null;
                    }
                } else if (data != null && !line.isEmpty() && !line.startsWith("Follow") && !line.startsWith("Filter")) {
                    int node = line.startsWith("\t") ? 1 : 0;
                    data[node].writeBytes(HexFormat.of().parseHex(line.strip()));
                }
            }
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "[::1]:80" or "127.0.0.1:80" as {ip, port}. */
    private static String[] endpoint(String text) {
        int colon = text.lastIndexOf(':');
        return new String[] {text.substring(0, colon).replace("[", "").replace("]", ""), text.substring(colon + 1)};
    }

    /** Everything a replay emitted, in emission order. */
    static final class Collected implements RawEventSink {
        final List<SocketDataEvent> data = new ArrayList<>();
        final List<TcpEvent> tcp = new ArrayList<>();

        @Override
        public void onSocketData(SocketDataEvent event) {
            data.add(event);
        }

        @Override
        public void onTcpEvent(TcpEvent event) {
            tcp.add(event);
        }

        /** Events of one socket and direction, in emission order. */
        List<SocketDataEvent> of(long socketId, Direction direction) {
            return data.stream().filter(e -> e.getSocketId() == socketId && e.getDirection() == direction).toList();
        }

        /** The socket ids whose local end is ip:port. */
        List<Long> socketsAt(String ip, int port) {
            return data.stream().filter(e -> e.getLocalIp().equals(ip) && e.getLocalPort() == port)
                    .map(SocketDataEvent::getSocketId).distinct().toList();
        }

        Map<Long, List<SocketDataEvent>> bySocket() {
            return data.stream().collect(Collectors.groupingBy(SocketDataEvent::getSocketId, LinkedHashMap::new,
                    Collectors.toList()));
        }

        List<TcpEvent> tcpOf(long socketId) {
            return tcp.stream().filter(e -> e.getSocketId() == socketId).toList();
        }
    }

    static Collected replay(String captureName, CaptureFilter filter, ReplayOptions options) throws IOException {
        return replay(capture(captureName), filter, options);
    }

    static Collected replay(Path file, CaptureFilter filter, ReplayOptions options) throws IOException {
        Collected collected = new Collected();
        try (PcapReplaySource source = PcapReplaySource.open(file, AGENT, filter, options)) {
            drain(source, collected);
        }
        return collected;
    }

    static void drain(RawEventSource source, RawEventSink sink) throws IOException {
        while (source.poll(sink, Duration.ofSeconds(5)) != RawEventSource.END_OF_INPUT) {
            // keep polling
        }
    }

    /** Full payloads: events no larger than the payload cap, so every byte is kept. */
    static CaptureFilter fullPayloadFilter() {
        return new CaptureFilter(java.util.Set.of(), java.util.Set.of(), java.util.Set.of(), java.util.Set.of(),
                java.util.Set.of(), java.util.Set.of(), CaptureFilter.MAX_PAYLOAD_BYTES, 1);
    }

    static ReplayOptions fullPayloadOptions() {
        return ReplayOptions.defaults().withMaxEventBytes(CaptureFilter.MAX_PAYLOAD_BYTES);
    }

    static byte[] concat(List<SocketDataEvent> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        events.stream().sorted(Comparator.comparingLong(SocketDataEvent::getDataSeq))
                .forEach(e -> out.writeBytes(bytes(e.getPayload())));
        return out.toByteArray();
    }

    static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }

    private ReplayCaptures() {
    }
}
