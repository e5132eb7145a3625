package io.tapflow.protocols.testing;

import io.tapflow.protocols.ConnectionDecoders;
import io.tapflow.protocols.DecodeError;
import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.MessageSink;
import io.tapflow.protocols.ProtocolParser;
import io.tapflow.protocols.Segment;
import io.tapflow.protocols.StreamDecoder;
import io.tapflow.protocols.testing.Capture.DirectedSegment;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Runs a parser's decoders over the segments of one connection, and makes the variants the harness checks. */
public final class Decoding {

    /** What a decoder produced, in the order it produced it. */
    public sealed interface Output permits Emitted, Failed {
        FlowDirection direction();
    }

    public record Emitted(FlowDirection direction, L7Message message) implements Output {
    }

    public record Failed(FlowDirection direction, DecodeError error) implements Output {
    }

    private Decoding() {
    }

    /** Feeds the segments to a fresh connection's decoders, in order, then closes both. */
    public static List<Output> run(ProtocolParser parser, List<DirectedSegment> segments) {
        ConnectionDecoders connection = parser.newConnection();
        StreamDecoder[] decoders = {connection.clientToServer(), connection.serverToClient()};
        List<Output> out = new ArrayList<>();
        MessageSink[] sinks = {sink(FlowDirection.CLIENT_TO_SERVER, out), sink(FlowDirection.SERVER_TO_CLIENT, out)};
        for (DirectedSegment s : segments) {
            int d = s.direction().ordinal();
            decoders[d].feed(s.segment(), sinks[d]);
        }
        decoders[0].close(sinks[0]);
        decoders[1].close(sinks[1]);
        return out;
    }

    /** What {@link #runRestoringAfterEachSegment} produced, and how often each encoding carried the decoders. */
    public record Restored(List<Output> outputs, int viaStateFormat, int viaJavaSerialization) {
    }

    /**
     * As {@link #run}, but after every segment both decoders are written and read back together, as a Flink
     * checkpoint and restore would take them, and decoding goes on with the copies: in their own state format when
     * both have one at that point ({@link ConnectionDecoders#hasStateFormat()}), as the flow job prefers, else in
     * Java serialization.
     */
    public static Restored runRestoringAfterEachSegment(ProtocolParser parser, List<DirectedSegment> segments) {
        ConnectionDecoders connection = parser.newConnection();
        List<Output> out = new ArrayList<>();
        MessageSink[] sinks = {sink(FlowDirection.CLIENT_TO_SERVER, out), sink(FlowDirection.SERVER_TO_CLIENT, out)};
        int viaStateFormat = 0;
        int viaJava = 0;
        for (DirectedSegment s : segments) {
            connection.of(s.direction()).feed(s.segment(), sinks[s.direction().ordinal()]);
            if (connection.hasStateFormat()) {
                connection = roundTripStateFormat(parser, connection);
                viaStateFormat++;
            } else {
                connection = roundTrip(connection);
                viaJava++;
            }
        }
        connection.clientToServer().close(sinks[0]);
        connection.serverToClient().close(sinks[1]);
        return new Restored(out, viaStateFormat, viaJava);
    }

    /**
     * Through the decoders' own format; the copy must write the very bytes the original wrote (a field read into
     * the wrong place, or read and not written, shows here even when the decoded output does not change).
     */
    private static ConnectionDecoders roundTripStateFormat(ProtocolParser parser, ConnectionDecoders connection) {
        try {
            byte[] written = stateBytes(connection);
            ConnectionDecoders copy = ConnectionDecoders.readState(parser,
                    new DataInputStream(new ByteArrayInputStream(written)));
            byte[] rewritten = stateBytes(copy);
            if (!Arrays.equals(written, rewritten)) {
                throw new AssertionError("decoders of " + connection.clientToServer().getClass().getName()
                        + " read back from their state format write different bytes");
            }
            return copy;
        } catch (IOException e) {
            throw new AssertionError("decoders of " + connection.clientToServer().getClass().getName()
                    + " do not survive their state format: " + e, e);
        }
    }

    private static byte[] stateBytes(ConnectionDecoders connection) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            connection.writeState(out);
        }
        return bytes.toByteArray();
    }

    private static ConnectionDecoders roundTrip(ConnectionDecoders connection) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(connection);
            }
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                return (ConnectionDecoders) in.readObject();
            }
        } catch (IOException | ClassNotFoundException e) {
            throw new AssertionError("decoders of " + connection.clientToServer().getClass().getName()
                    + " do not survive serialization: " + e, e);
        }
    }

    /** A sink that adds what a decoder of {@code direction} produces to {@code out}. */
    public static MessageSink sink(FlowDirection direction, List<Output> out) {
        return new MessageSink() {
            @Override
            public void message(L7Message message) {
                out.add(new Emitted(direction, message));
            }

            @Override
            public void error(DecodeError error) {
                out.add(new Failed(direction, error));
            }
        };
    }

    /** Errors a decoder reported as its own bug: must always be none. */
    public static List<DecodeError> internalErrors(List<Output> outputs) {
        List<DecodeError> internal = new ArrayList<>();
        for (Output o : outputs) {
            if (o instanceof Failed f && f.error().kind() == DecodeError.Kind.INTERNAL) {
                internal.add(f.error());
            }
        }
        return internal;
    }

    public static boolean hasErrors(List<Output> outputs) {
        return outputs.stream().anyMatch(o -> o instanceof Failed);
    }

    /**
     * Every segment cut into 1–4 pieces at random offsets, as separate syscalls would deliver them; each piece
     * keeps the time of its segment and the sequence number of its first byte, so decoded output must not change.
     */
    public static List<DirectedSegment> split(List<DirectedSegment> segments, Random random) {
        List<DirectedSegment> out = new ArrayList<>();
        for (DirectedSegment ds : segments) {
            Segment s = ds.segment();
            int pieces = 1 + random.nextInt(4);
            int[] cuts = random.ints(pieces - 1, 0, s.length() + 1).sorted().toArray();
            int from = 0;
            for (int i = 0; i <= cuts.length; i++) {
                int to = i < cuts.length ? cuts[i] : s.length();
                if (to > from || (i == cuts.length && from == 0 && s.length() == 0)) {
                    out.add(new DirectedSegment(ds.direction(), piece(s, from, to)));
                }
                from = Math.max(from, to);
            }
        }
        return out;
    }

    /** Each segment captured only up to {@code limit} bytes, as the collector's capture size does. */
    public static List<DirectedSegment> captureLimit(List<DirectedSegment> segments, int limit) {
        List<DirectedSegment> out = new ArrayList<>();
        for (DirectedSegment ds : segments) {
            Segment s = ds.segment();
            out.add(new DirectedSegment(ds.direction(), new Segment(s.bytes(), s.offset(), Math.min(limit, s.length()),
                    s.byteCount(), s.timestampNs(), s.tcpSeq(), s.threadTraceId())));
        }
        return out;
    }

    /** The stream cut at a random byte: a connection that died, or a capture that stopped. */
    public static List<DirectedSegment> cut(List<DirectedSegment> segments, Random random) {
        if (segments.isEmpty()) {
            return segments;
        }
        int n = random.nextInt(segments.size());
        List<DirectedSegment> out = new ArrayList<>(segments.subList(0, n));
        DirectedSegment last = segments.get(n);
        int keep = random.nextInt(last.segment().length() + 1);
        out.add(new DirectedSegment(last.direction(), piece(last.segment(), 0, keep)));
        return out;
    }

    private static Segment piece(Segment s, int from, int to) {
        long seq = s.tcpSeq() == Segment.NO_TCP_SEQ ? Segment.NO_TCP_SEQ : (s.tcpSeq() + from) & 0xFFFF_FFFFL;
        return new Segment(s.bytes(), s.offset() + from, to - from, to - from, s.timestampNs(), seq,
                s.threadTraceId());
    }
}
