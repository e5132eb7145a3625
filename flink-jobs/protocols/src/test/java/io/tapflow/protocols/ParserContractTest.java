package io.tapflow.protocols;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tapflow.protocols.testing.Capture.DirectedSegment;
import io.tapflow.protocols.testing.Decoding;
import io.tapflow.protocols.testing.Decoding.Output;
import io.tapflow.protocols.testing.Goldens;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@link StreamDecoder} contract, for every registered parser and both directions: empty, garbage, hole-only
 * and truncated input never throw, never loop (each case must finish in seconds), and produce no
 * {@link DecodeError.Kind#INTERNAL} errors; {@code matches} never throws and stays within 0..100.
 */
class ParserContractTest {

    private static final Duration LIMIT = Duration.ofSeconds(10);

    static Stream<ProtocolParser> parsers() {
        return ProtocolRegistry.defaults(Goldens.OPTIONS).parsers().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("parsers")
    void emptyAndHoleOnlyInput(ProtocolParser parser) {
        assertTimeoutPreemptively(LIMIT, () -> {
            for (FlowDirection d : FlowDirection.values()) {
                byte[] none = new byte[0];
                List<Output> out = run(parser, d,
                        Segment.of(none, 1),
                        new Segment(none, 0, 0, 1L << 30, 2, 1000, 0),
                        new Segment(none, 0, 0, 7, 3, Segment.NO_TCP_SEQ, 0));
                assertThat(Decoding.internalErrors(out)).as("%s %s", parser.protocol(), d).isEmpty();
                assertThat(out).noneMatch(o -> o instanceof Decoding.Emitted);
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("parsers")
    void garbageNeverBreaksTheDecoder(ProtocolParser parser) {
        assertTimeoutPreemptively(LIMIT, () -> {
            Random random = new Random(42);
            for (int round = 0; round < 500; round++) {
                for (FlowDirection d : FlowDirection.values()) {
                    List<Segment> segments = new ArrayList<>();
                    for (int i = 0, n = 1 + random.nextInt(6); i < n; i++) {
                        byte[] b = new byte[random.nextInt(300)];
                        fill(b, random);
                        long extra = random.nextInt(4) == 0 ? random.nextInt(5000) : 0;
                        segments.add(new Segment(b, 0, b.length, b.length + extra, i, Segment.NO_TCP_SEQ, 0));
                    }
                    List<Output> out = run(parser, d, segments.toArray(Segment[]::new));
                    assertThat(Decoding.internalErrors(out)).as("%s %s round %d", parser.protocol(), d, round)
                            .isEmpty();
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("parsers")
    void everyPrefixOfRealTrafficIsSafe(ProtocolParser parser) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            String dir = parser.protocol().name().toLowerCase(java.util.Locale.ROOT);
            Goldens.of(dir).forEach(golden -> golden.capture().connections().forEach(c -> {
                List<DirectedSegment> segments = c.segments().subList(0, Math.min(6, c.segments().size()));
                for (int s = 0; s < segments.size(); s++) {
                    Segment last = segments.get(s).segment();
                    for (int keep = 0; keep <= Math.min(last.length(), 400); keep++) {
                        List<DirectedSegment> prefix = new ArrayList<>(segments.subList(0, s));
                        prefix.add(new DirectedSegment(segments.get(s).direction(), new Segment(last.bytes(),
                                last.offset(), keep, keep, last.timestampNs(), last.tcpSeq(), 0)));
                        assertThat(Decoding.internalErrors(Decoding.run(parser, prefix)))
                                .as("%s %s prefix %d.%d", golden, c.describe(), s, keep).isEmpty();
                    }
                }
            }));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("parsers")
    void matchesStaysInRangeAndInBounds(ProtocolParser parser) {
        Random random = new Random(7);
        for (int round = 0; round < 2000; round++) {
            byte[] b = new byte[random.nextInt(64)];
            fill(b, random);
            // a range inside a larger buffer: reading outside it would see the 0x7f fence bytes
            byte[] fenced = new byte[b.length + 32];
            Arrays.fill(fenced, (byte) 0x7f);
            System.arraycopy(b, 0, fenced, 16, b.length);
            for (FlowDirection d : FlowDirection.values()) {
                int c = parser.matches(fenced, 16, b.length, d);
                assertThat(c).as("%s matches round %d", parser.protocol(), round).isBetween(0, 100);
                assertThat(parser.matches(b, 0, b.length, d)).isEqualTo(c);
            }
        }
        assertThat(parser.matches(new byte[0], 0, 0, FlowDirection.CLIENT_TO_SERVER)).isBetween(0, 100);
    }

    private static List<Output> run(ProtocolParser parser, FlowDirection d, Segment... segments) {
        List<DirectedSegment> list = new ArrayList<>();
        for (Segment s : segments) {
            list.add(new DirectedSegment(d, s));
        }
        return Decoding.run(parser, list);
    }

    /** Random bytes biased towards protocol-looking ones (digits, CR LF, '*', '$', ':', small values). */
    static void fill(byte[] b, Random random) {
        String alphabet = "0123456789\r\n*$:+-#GETPOSTHTTP/1. {}\"";
        for (int i = 0; i < b.length; i++) {
            int kind = random.nextInt(4);
            b[i] = switch (kind) {
                case 0 -> (byte) alphabet.charAt(random.nextInt(alphabet.length()));
                case 1 -> (byte) random.nextInt(4);
                default -> (byte) random.nextInt(256);
            };
        }
    }
}
