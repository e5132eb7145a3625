package io.tapflow.protocols;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.schema.L7Protocol;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared decoder loop, driven by a line protocol made up for the test ("ok <text>\n" lines). */
class AbstractStreamDecoderTest {

    /** Emits one message per "ok ..." line; anything else is malformed; "boom" makes the step throw. */
    private static final class LineDecoder extends AbstractStreamDecoder {
        boolean stall;

        LineDecoder(ParserOptions options) {
            super(options);
        }

        @Override
        protected Step decode(MessageSink out) {
            if (stall) {
                return Step.PROGRESS; // a bug: claims progress without consuming
            }
            int nl = in.indexOf((byte) '\n', 0, in.contiguous());
            if (nl < 0) {
                return Step.NEED_MORE;
            }
            String line = in.latin1(0, nl);
            if (line.equals("boom")) {
                throw new IllegalStateException("boom");
            }
            if (!line.startsWith("ok ")) {
                return malformed("not an ok line");
            }
            long start = in.position();
            out.message(L7Message.builder(L7Protocol.UNKNOWN, MessageKind.REQUEST)
                    .requestResource(line.substring(3)).start(in.origin(start)).length(nl + 1).build());
            in.skip(nl + 1);
            return Step.PROGRESS;
        }

        @Override
        protected void reset() {
        }
    }

    private final List<L7Message> messages = new ArrayList<>();
    private final List<DecodeError> errors = new ArrayList<>();
    private final MessageSink sink = new MessageSink() {
        @Override
        public void message(L7Message message) {
            messages.add(message);
        }

        @Override
        public void error(DecodeError error) {
            errors.add(error);
        }
    };

    private static Segment seg(String s, long ts) {
        return Segment.of(s.getBytes(StandardCharsets.ISO_8859_1), ts);
    }

    @Test
    void decodesAcrossSegmentsAndResyncsAfterGarbageAtTheNextSegment() {
        LineDecoder d = new LineDecoder(ParserOptions.DEFAULTS);
        d.feed(seg("ok a\nok ", 1), sink);
        d.feed(seg("b\nxx\nok lost\n", 2), sink);
        d.feed(seg("ok c\n", 3), sink);
        assertThat(messages).extracting(L7Message::requestResource).containsExactly("a", "b", "c");
        assertThat(messages.get(1).startTimestampNs()).isEqualTo(1);
        assertThat(errors).extracting(DecodeError::kind).containsExactly(DecodeError.Kind.MALFORMED);
    }

    @Test
    void exceptionsAndStallsBecomeInternalErrorsNotCrashesOrLoops() {
        LineDecoder d = new LineDecoder(ParserOptions.DEFAULTS);
        d.feed(seg("boom\n", 1), sink);
        d.feed(seg("ok fine\n", 2), sink);
        d.stall = true;
        d.feed(seg("ok never\n", 3), sink);
        assertThat(messages).extracting(L7Message::requestResource).containsExactly("fine");
        assertThat(errors).extracting(DecodeError::kind)
                .containsExactly(DecodeError.Kind.INTERNAL, DecodeError.Kind.INTERNAL);
    }

    @Test
    void headersRunningIntoAHoleOrPastTheBoundAreDropped() {
        LineDecoder d = new LineDecoder(ParserOptions.DEFAULTS);
        byte[] part = "ok cut".getBytes(StandardCharsets.ISO_8859_1);
        d.feed(new Segment(part, 0, part.length, 100, 1, Segment.NO_TCP_SEQ, 0), sink);
        d.feed(seg("ok after\n", 2), sink);
        assertThat(errors).extracting(DecodeError::kind).containsExactly(DecodeError.Kind.UNCAPTURED);
        assertThat(messages).extracting(L7Message::requestResource).containsExactly("after");

        byte[] big = new byte[2048];
        java.util.Arrays.fill(big, (byte) 'x');
        LineDecoder small = new LineDecoder(new ParserOptions(1024, 0, 0, List.of(), "x-request-id"));
        small.feed(Segment.of(big, 3), sink);
        assertThat(errors).extracting(DecodeError::kind).last().isEqualTo(DecodeError.Kind.OVERSIZED);
    }
}
