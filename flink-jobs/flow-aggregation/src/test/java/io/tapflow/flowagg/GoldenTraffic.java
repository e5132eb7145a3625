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
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Real traffic for the job: the protocol goldens (curl vs nginx over HTTP/1.1 and HTTP/2, redis-cli vs
 * redis-server, psql vs PostgreSQL, dig vs unbound over UDP and TCP) replayed by the collector's pcap source as the
 * raw events of both ends of every connection, and the requests their clients sent (the reviewed .expected files).
 */
final class GoldenTraffic {

    /** Captures of every protocol the job must handle: keep-alive, pipelining, multiplexing, errors. */
    static final List<String> GOLDENS = List.of("http1/01-get-keepalive", "http1/06-pipelined",
            "http2/01-get-200", "redis/04-pipeline-cli", "redis/03-error-wrongtype", "postgresql/01-query",
            "dns/09-udp-multi", "dns/08-tcp-multi");
    private static final Pattern REQUEST = Pattern.compile("^C>S REQUEST (\\S+)(?: .*?\\btype=(\\S+))?.*$");

    /** Raw events in publishing order, the sockets they cover and the requests per "PROTOCOL type" in them. */
    record Traffic(List<SpecificRecordBase> events, int sockets, Map<String, Long> requests) {

        long requestCount() {
            return requests.values().stream().mapToLong(Long::longValue).sum();
        }

        long lastTimestampNs() {
            return timestampNs(events.get(events.size() - 1));
        }

        /** The same traffic, every event {@code shift} later (a later batch of a long-running test). */
        Traffic shiftedBy(Duration shift) {
            long ns = shift.toNanos();
            List<SpecificRecordBase> shifted = new ArrayList<>(events.size());
            for (SpecificRecordBase e : events) {
                shifted.add(e instanceof SocketDataEvent d
                        ? SocketDataEvent.newBuilder(d).setTimestampNs(d.getTimestampNs() + ns).build()
                        : TcpEvent.newBuilder((TcpEvent) e).setTimestampNs(((TcpEvent) e).getTimestampNs() + ns)
                                .build());
            }
            return new Traffic(shifted, sockets, requests);
        }
    }

    private GoldenTraffic() {
    }

    /**
     * Every golden of {@link #GOLDENS} replayed by agent {@code agentPrefix-<n>} with {@code options}, in timestamp
     * order — a collector publishes in time order; captures recorded days apart published one after another would
     * make every later-recorded-earlier capture late data.
     */
    static Traffic goldens(String agentPrefix, ReplayOptions options) throws Exception {
        return goldens(agentPrefix, options, GOLDENS);
    }

    /** The same for the captures {@code goldens}. */
    static Traffic goldens(String agentPrefix, ReplayOptions options, List<String> goldens) throws Exception {
        List<SpecificRecordBase> events = new ArrayList<>();
        Map<String, Long> requests = new TreeMap<>();
        int sockets = 0;
        for (int i = 0; i < goldens.size(); i++) {
            Traffic one = golden(goldens.get(i), agentPrefix + "-" + i, options);
            events.addAll(one.events());
            sockets += one.sockets();
            one.requests().forEach((k, v) -> requests.merge(k, v, Long::sum));
        }
        events.sort(Comparator.comparingLong(GoldenTraffic::timestampNs));
        return new Traffic(events, sockets, requests);
    }

    /** One golden replayed by agent {@code agent} with {@code options}. */
    static Traffic golden(String golden, String agent, ReplayOptions options) throws Exception {
        List<SpecificRecordBase> events = new ArrayList<>();
        int sockets = replay(golden, agent, options, events);
        Map<String, Long> requests = new TreeMap<>();
        expectedRequests(golden).forEach((k, v) -> requests.put(k, v * options.loops()));
        return new Traffic(events, sockets, requests);
    }

    /** Requests per "PROTOCOL type" in the golden's reviewed rendering of what the client sent. */
    static Map<String, Long> expectedRequests(String golden) throws Exception {
        Map<String, Long> into = new TreeMap<>();
        try (InputStream in = GoldenTraffic.class.getResourceAsStream("/golden/" + golden + ".expected")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                Matcher m = REQUEST.matcher(line);
                if (m.matches()) {
                    String protocol = m.group(1).toUpperCase();
                    into.merge(protocol + " " + (m.group(2) == null ? "" : m.group(2)), 1L, Long::sum);
                }
            }
        }
        return into;
    }

    /** Replays a golden capture through the collector's pcap source; returns its number of sockets. */
    private static int replay(String golden, String agent, ReplayOptions options, List<SpecificRecordBase> into)
            throws Exception {
        Path pcap = Goldens.pcapFile(golden);
        Set<Long> sockets = new HashSet<>();
        try (RawEventSource source = PcapReplaySource.open(pcap, new AgentIdentity(agent, "it-host"),
                CaptureFilter.defaults(), options)) {
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
