package io.tapflow.protocols;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.protocols.testing.Capture;
import io.tapflow.protocols.testing.Capture.Connection;
import io.tapflow.protocols.testing.Capture.DirectedSegment;
import io.tapflow.protocols.testing.Decoding;
import io.tapflow.protocols.testing.Decoding.Output;
import io.tapflow.protocols.testing.GoldenRenderer;
import io.tapflow.protocols.testing.Goldens;
import io.tapflow.protocols.testing.Goldens.Golden;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every golden capture of real client/server traffic, decoded by the registered parser of its protocol, must
 * render exactly as its reviewed {@code .expected} file; and split at random offsets, captured only in part, or
 * cut off, it must decode the same (split) or at least never break the decoder (the rest).
 *
 * <p>A mismatch writes the actual rendering to {@code target/golden-actual/<protocol>/<name>.expected}. Run with
 * {@code -Dgolden.update=true} to (re)write the {@code .expected} files in src/test/resources — then review them.
 */
class GoldenTest {

    static Stream<Golden> goldens() {
        return Goldens.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void decodesAsReviewed(Golden golden) throws IOException {
        String actual = render(golden);
        Path module = Path.of(System.getProperty("basedir", "."));
        Path source = module.resolve("src/test/resources/golden").resolve(golden.protocol())
                .resolve(golden.name() + ".expected");
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(source, actual, StandardCharsets.UTF_8);
        }
        String expected = Files.exists(golden.expected()) ? Files.readString(golden.expected(), StandardCharsets.UTF_8)
                : null;
        if (!actual.equals(expected)) {
            Path out = module.resolve("target/golden-actual").resolve(golden.protocol())
                    .resolve(golden.name() + ".expected");
            Files.createDirectories(out.getParent());
            Files.writeString(out, actual, StandardCharsets.UTF_8);
            assertThat(expected).as("golden %s has no .expected yet; the rendering is in %s (review it, then copy it"
                    + " to %s or run with -Dgolden.update=true)", golden, out, source).isNotNull();
        }
        assertThat(actual).as("decoding of %s (actual written to target/golden-actual)", golden).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void splitAtRandomOffsetsDecodesTheSame(Golden golden) {
        Capture capture = golden.capture();
        for (Connection c : capture.connections()) {
            List<Output> whole = Decoding.run(golden.parser(), c.segments());
            for (long seed = 1; seed <= 5; seed++) {
                Random random = new Random(seed);
                List<Output> split = Decoding.run(golden.parser(), Decoding.split(c.segments(), random));
                assertThat(Decoding.internalErrors(split)).as("%s %s seed %d", golden, c.describe(), seed).isEmpty();
                if (!Decoding.hasErrors(whole)) {
                    // errors resync at segment boundaries, which splitting moves: compare only clean decodings
                    assertThat(GoldenRenderer.render(capture, c, split)).as("%s split with seed %d", golden, seed)
                            .isEqualTo(GoldenRenderer.render(capture, c, whole));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void partialCaptureAndCutStreamsNeverBreakTheDecoder(Golden golden) {
        for (Connection c : golden.capture().connections()) {
            for (int limit : new int[] {0, 1, 16, 64, 1024}) {
                List<Output> out = Decoding.run(golden.parser(), Decoding.captureLimit(c.segments(), limit));
                assertThat(Decoding.internalErrors(out)).as("%s capture limit %d", golden, limit).isEmpty();
            }
            for (long seed = 1; seed <= 5; seed++) {
                List<DirectedSegment> cut = Decoding.cut(c.segments(), new Random(seed));
                List<Output> out = Decoding.run(golden.parser(), cut);
                assertThat(Decoding.internalErrors(out)).as("%s cut with seed %d", golden, seed).isEmpty();
            }
        }
    }

    /**
     * The flow job keeps a connection's decoders in Flink state, which a checkpoint writes and a restore reads
     * between any two segments: decoding must not notice, whichever encoding carried them (their own state format
     * where they have one, Java serialization otherwise). Split input leaves heads and bodies cut at every kind of
     * place. A protocol whose fresh decoders have a state format must use it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void decodersSerializedAndRestoredAfterEverySegmentDecodeTheSame(Golden golden) {
        Capture capture = golden.capture();
        boolean hasFormat = golden.parser().newConnection().hasStateFormat();
        for (Connection c : capture.connections()) {
            List<Output> whole = Decoding.run(golden.parser(), c.segments());
            Decoding.Restored restored = Decoding.runRestoringAfterEachSegment(golden.parser(), c.segments());
            assertThat(GoldenRenderer.render(capture, c, restored.outputs())).as("%s restored after every segment",
                    golden).isEqualTo(GoldenRenderer.render(capture, c, whole));
            if (hasFormat && !c.segments().isEmpty()) {
                assertThat(restored.viaStateFormat()).as("%s round trips in the decoders' state format", golden)
                        .isPositive();
            }
            for (long seed = 1; seed <= 3; seed++) {
                List<DirectedSegment> split = Decoding.split(c.segments(), new Random(seed));
                assertThat(GoldenRenderer.render(capture, c,
                        Decoding.runRestoringAfterEachSegment(golden.parser(), split).outputs()))
                        .as("%s split with seed %d, restored after every piece", golden, seed)
                        .isEqualTo(GoldenRenderer.render(capture, c, Decoding.run(golden.parser(), split)));
            }
        }
    }

    private static String render(Golden golden) {
        Capture capture = golden.capture();
        StringBuilder sb = new StringBuilder();
        for (Connection c : capture.connections()) {
            sb.append(GoldenRenderer.render(capture, c, Decoding.run(golden.parser(), c.segments())));
        }
        return sb.toString();
    }
}
