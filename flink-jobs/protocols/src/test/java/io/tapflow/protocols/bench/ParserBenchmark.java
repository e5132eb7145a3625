package io.tapflow.protocols.bench;

import io.tapflow.protocols.ConnectionDecoders;
import io.tapflow.protocols.DecodeError;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.MessageSink;
import io.tapflow.protocols.ParserOptions;
import io.tapflow.protocols.ProtocolParser;
import io.tapflow.protocols.ProtocolRegistry;
import io.tapflow.protocols.testing.Capture.DirectedSegment;
import io.tapflow.protocols.testing.Goldens;
import io.tapflow.schema.L7Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decoding throughput of one protocol over its golden captures (real client/server traffic, both directions).
 * {@link #decode}: every connection with fresh decoders, as a flow job does for short flows (decoder set-up
 * included). {@link #decodeKeepAlive}: the same bytes through one long-lived pair of decoders, as on a keep-alive
 * connection that carries request after request — the steady-state parsing cost. {@link #bytesPerOp} turns ops/s
 * into bytes/s; {@link ParserBenchmarkMain} prints both.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ParserBenchmark {

    /**
     * Lower-case protocol name = the golden directory, optionally with the captures to use:
     * {@code http1:01,03,06} takes only the captures whose names start with 01, 03 or 06.
     */
    @Param({"http1", "redis"})
    public String protocol;

    private ProtocolParser parser;
    private List<List<DirectedSegment>> connections;
    private ConnectionDecoders longLived;

    @Setup
    public void load() {
        parser = parser(protocol);
        connections = connections(protocol);
        longLived = parser.newConnection();
    }

    @Benchmark
    public void decodeKeepAlive(Blackhole bh) {
        MessageSink sink = sink(bh);
        for (List<DirectedSegment> connection : connections) {
            for (DirectedSegment s : connection) {
                longLived.of(s.direction()).feed(s.segment(), sink);
            }
        }
    }

    @Benchmark
    public void decode(Blackhole bh) {
        MessageSink sink = sink(bh);
        for (List<DirectedSegment> connection : connections) {
            ConnectionDecoders decoders = parser.newConnection();
            for (DirectedSegment s : connection) {
                decoders.of(s.direction()).feed(s.segment(), sink);
            }
            decoders.clientToServer().close(sink);
            decoders.serverToClient().close(sink);
        }
    }

    private static MessageSink sink(Blackhole bh) {
        return new MessageSink() {
            @Override
            public void message(L7Message message) {
                bh.consume(message);
            }

            @Override
            public void error(DecodeError error) {
                bh.consume(error);
            }
        };
    }

    static ProtocolParser parser(String protocol) {
        String name = protocol.split(":", 2)[0];
        // the flow job's settings: no bodies or events kept
        return ProtocolRegistry.defaults(ParserOptions.DEFAULTS)
                .parser(L7Protocol.valueOf(name.toUpperCase(Locale.ROOT)))
                .orElseThrow(() -> new IllegalArgumentException("no parser registered for " + name));
    }

    static List<List<DirectedSegment>> connections(String protocol) {
        String[] parts = protocol.split(":", 2);
        List<String> only = parts.length > 1 ? List.of(parts[1].split(",")) : List.of("");
        List<List<DirectedSegment>> all = new ArrayList<>();
        Goldens.of(parts[0]).filter(g -> only.stream().anyMatch(g.name()::startsWith))
                .forEach(g -> g.capture().connections().forEach(c -> all.add(c.segments())));
        if (all.isEmpty()) {
            throw new IllegalArgumentException("no golden captures for " + protocol);
        }
        return all;
    }

    /** Payload bytes one operation decodes. */
    static long bytesPerOp(String protocol) {
        long n = 0;
        for (List<DirectedSegment> c : connections(protocol)) {
            for (DirectedSegment s : c) {
                n += s.segment().byteCount();
            }
        }
        return n;
    }
}
