package io.tapflow.flowagg;

import io.tapflow.collector.pcap.PcapReplaySource;
import io.tapflow.collector.pcap.ReplayOptions;
import io.tapflow.collector.source.AgentIdentity;
import io.tapflow.collector.source.CaptureFilter;
import io.tapflow.collector.source.RawEventSink;
import io.tapflow.collector.source.RawEventSource;
import io.tapflow.protocols.testing.Goldens;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import io.tapflow.schema.registry.SchemaRegistryClientConfig;
import io.tapflow.schema.serde.AvroSerializer;
import io.tapflow.schema.topic.Topic;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Real traffic for the job's ITCases: protocol goldens (captures of real clients and servers) replayed by the
 * collector's pcap source as the raw events of both ends of every connection, in time order as a collector
 * publishes them, with the requests the clients sent counted from the goldens' reviewed .expected files.
 */
final class GoldenTraffic {

    private static final Pattern REQUEST = Pattern.compile("^C>S REQUEST (\\S+)(?: .*?\\btype=(\\S+))?.*$");

    private final List<SpecificRecordBase> events;
    private final Map<String, Long> expected;
    private final int sockets;

    private GoldenTraffic(List<SpecificRecordBase> events, Map<String, Long> expected, int sockets) {
        this.events = events;
        this.expected = expected;
        this.sockets = sockets;
    }

    /** Replays {@code goldens}; the i-th is captured by agent {@code agentPrefix + i}. */
    static GoldenTraffic replay(List<String> goldens, String agentPrefix) throws Exception {
        Map<String, Long> expected = new TreeMap<>();
        int socketCount = 0;
        List<SpecificRecordBase> events = new ArrayList<>();
        for (int i = 0; i < goldens.size(); i++) {
            String golden = goldens.get(i);
            expectedRequests(golden, expected);
            socketCount += replay(golden, agentPrefix + i, events);
        }
        // a collector publishes in time order; the goldens were recorded days apart, so publishing them one after
        // another would make every later-recorded-earlier capture late data
        events.sort(Comparator.comparingLong(GoldenTraffic::timestampNs));
        return new GoldenTraffic(events, Collections.unmodifiableMap(expected), socketCount);
    }

    /** Requests per "PROTOCOL type" the clients sent. */
    Map<String, Long> expectedRequests() {
        return expected;
    }

    long totalRequests() {
        return expected.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Sockets seen: each end of each connection. */
    int socketCount() {
        return sockets;
    }

    List<SpecificRecordBase> events() {
        return events;
    }

    long lastTimestampNs() {
        return timestampNs(events.get(events.size() - 1));
    }

    /** The same traffic, every event {@code shift} later (a later batch of a long-running test). */
    GoldenTraffic shiftedBy(Duration shift) {
        long ns = shift.toNanos();
        List<SpecificRecordBase> shifted = new ArrayList<>(events.size());
        for (SpecificRecordBase e : events) {
            if (e instanceof SocketDataEvent d) {
                SocketDataEvent c = SocketDataEvent.newBuilder(d).build();
                c.setTimestampNs(d.getTimestampNs() + ns);
                shifted.add(c);
            } else {
                TcpEvent t = (TcpEvent) e;
                TcpEvent c = TcpEvent.newBuilder(t).build();
                c.setTimestampNs(t.getTimestampNs() + ns);
                shifted.add(c);
            }
        }
        return new GoldenTraffic(shifted, expected, sockets);
    }

    /** Publishes the events to the raw topics, keyed by socket id as the collector does. */
    void publish(Properties clientProperties, String registryUrl) throws Exception {
        publish(events, clientProperties, registryUrl);
    }

    static void publish(List<SpecificRecordBase> events, Properties clientProperties, String registryUrl)
            throws Exception {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (AvroSerializer<SpecificRecordBase> values = new AvroSerializer<>();
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            values.configure(Map.of(SchemaRegistryClientConfig.URL, registryUrl), false);
            for (SpecificRecordBase e : events) {
                boolean data = e instanceof SocketDataEvent;
                Topic topic = data ? Topic.RAW_SOCKET_DATA : Topic.RAW_TCP_EVENTS;
                long socket = data ? ((SocketDataEvent) e).getSocketId() : ((TcpEvent) e).getSocketId();
                producer.send(new ProducerRecord<>(topic.topicName(),
                        ByteBuffer.allocate(8).putLong(socket).array(), values.serialize(topic.topicName(), e)));
            }
            producer.flush();
        }
    }

    /** Requests per "PROTOCOL type" in the golden's reviewed rendering of what the client sent. */
    private static void expectedRequests(String golden, Map<String, Long> into) throws Exception {
        try (InputStream in = GoldenTraffic.class.getResourceAsStream("/golden/" + golden + ".expected")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                Matcher m = REQUEST.matcher(line);
                if (m.matches()) {
                    String protocol = m.group(1).toUpperCase();
                    into.merge(protocol + " " + (m.group(2) == null ? "" : m.group(2)), 1L, Long::sum);
                }
            }
        }
    }

    /** Replays a golden capture through the collector's pcap source; returns its number of sockets. */
    private static int replay(String golden, String agent, List<SpecificRecordBase> into) throws Exception {
        Path pcap = Goldens.pcapFile(golden);
        Set<Long> sockets = new LinkedHashSet<>();
        try (RawEventSource source = PcapReplaySource.open(pcap, new AgentIdentity(agent, "it-host"),
                CaptureFilter.defaults(), ReplayOptions.defaults())) {
            RawEventSink sink = new RawEventSink() {
                @Override
                public void onSocketData(SocketDataEvent event) {
                    into.add(event);
                    sockets.add(event.getSocketId());
                }

                @Override
                public void onTcpEvent(TcpEvent event) {
                    into.add(event);
                    sockets.add(event.getSocketId());
                }
            };
            while (source.poll(sink, Duration.ofMillis(100)) != RawEventSource.END_OF_INPUT) {
                // drain
            }
        } finally {
            Files.delete(pcap);
        }
        return sockets.size();
    }

    static long timestampNs(SpecificRecordBase e) {
        return e instanceof SocketDataEvent d ? d.getTimestampNs() : ((TcpEvent) e).getTimestampNs();
    }
}
