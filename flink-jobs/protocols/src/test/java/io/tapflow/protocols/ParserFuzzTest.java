package io.tapflow.protocols;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.protocols.testing.Capture.DirectedSegment;
import io.tapflow.protocols.testing.Decoding;
import io.tapflow.protocols.testing.Goldens;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * 100,000 random and mutated inputs per parser: mutations of its real golden traffic (bytes flipped, inserted,
 * deleted, segments duplicated, dropped or cut) and random bytes. No exception may escape and no decoder may report
 * an internal error; a failure names the seed that reproduces it. Loops are ruled out by construction
 * ({@link AbstractStreamDecoder} demands progress per step) and by the time this test takes.
 */
class ParserFuzzTest {

    private static final int INPUTS = Integer.getInteger("fuzz.inputs", 100_000);

    static Stream<ProtocolParser> parsers() {
        return ProtocolRegistry.defaults(Goldens.OPTIONS).parsers().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("parsers")
    void randomAndMutatedInputNeverBreaksTheDecoder(ProtocolParser parser) {
        String dir = parser.protocol().name().toLowerCase(Locale.ROOT);
        List<List<DirectedSegment>> corpus = new ArrayList<>();
        Goldens.of(dir).forEach(g -> g.capture().connections().forEach(c -> corpus.add(c.segments())));
        for (int i = 0; i < INPUTS; i++) {
            long seed = parser.protocol().ordinal() * 1_000_003L + i;
            Random random = new Random(seed);
            List<DirectedSegment> input = corpus.isEmpty() || random.nextInt(5) == 0
                    ? randomInput(random) : mutate(corpus.get(random.nextInt(corpus.size())), random);
            List<Decoding.Output> out;
            try {
                out = Decoding.run(parser, input);
            } catch (RuntimeException e) {
                throw new AssertionError(parser.protocol() + " threw on fuzz input seed " + seed, e);
            }
            assertThat(Decoding.internalErrors(out)).as("%s fuzz seed %d", parser.protocol(), seed).isEmpty();
        }
    }

    private static List<DirectedSegment> randomInput(Random random) {
        List<DirectedSegment> out = new ArrayList<>();
        for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
            byte[] b = new byte[random.nextInt(200)];
            ParserContractTest.fill(b, random);
            FlowDirection d = FlowDirection.values()[random.nextInt(2)];
            out.add(new DirectedSegment(d, new Segment(b, 0, b.length, b.length, i, Segment.NO_TCP_SEQ, 0)));
        }
        return out;
    }

    /** A few mutations of the first segments of a real connection (the later ones add time, not coverage). */
    private static List<DirectedSegment> mutate(List<DirectedSegment> original, Random random) {
        List<DirectedSegment> segments = new ArrayList<>(original.subList(0, Math.min(original.size(), 12)));
        for (int m = 0, n = 1 + random.nextInt(4); m < n && !segments.isEmpty(); m++) {
            int at = random.nextInt(segments.size());
            DirectedSegment ds = segments.get(at);
            Segment s = ds.segment();
            byte[] b = java.util.Arrays.copyOfRange(s.bytes(), s.offset(), s.offset() + s.length());
            switch (random.nextInt(7)) {
                case 0 -> { // flip bytes
                    for (int k = 0; k < 1 + random.nextInt(3) && b.length > 0; k++) {
                        b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                    }
                }
                case 1 -> { // set a byte to an edge value
                    if (b.length > 0) {
                        b[random.nextInt(b.length)] = (byte) new int[] {0, 0xff, 0x7f, 0x80, '\r', '\n'}[random.nextInt(6)];
                    }
                }
                case 2 -> { // insert random bytes
                    byte[] ins = new byte[1 + random.nextInt(16)];
                    ParserContractTest.fill(ins, random);
                    int p = random.nextInt(b.length + 1);
                    byte[] nb = new byte[b.length + ins.length];
                    System.arraycopy(b, 0, nb, 0, p);
                    System.arraycopy(ins, 0, nb, p, ins.length);
                    System.arraycopy(b, p, nb, p + ins.length, b.length - p);
                    b = nb;
                }
                case 3 -> { // delete a range
                    if (b.length > 0) {
                        int p = random.nextInt(b.length);
                        int len = 1 + random.nextInt(Math.min(32, b.length - p));
                        byte[] nb = new byte[b.length - len];
                        System.arraycopy(b, 0, nb, 0, p);
                        System.arraycopy(b, p + len, nb, p, b.length - p - len);
                        b = nb;
                    }
                }
                case 4 -> segments.add(at, ds); // duplicate (a retransmission the collector saw twice)
                case 5 -> segments.remove(at); // lost
                default -> { // captured in part: the rest becomes a hole
                    int keep = random.nextInt(b.length + 1);
                    segments.set(at, new DirectedSegment(ds.direction(),
                            new Segment(b, 0, keep, b.length + random.nextInt(100), s.timestampNs(), s.tcpSeq(), 0)));
                    continue;
                }
            }
            if (segments.size() > at && segments.get(at) == ds) {
                segments.set(at, new DirectedSegment(ds.direction(),
                        new Segment(b, 0, b.length, b.length, s.timestampNs(), s.tcpSeq(), 0)));
            }
        }
        return segments;
    }
}
