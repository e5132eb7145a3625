package io.tapflow.protocols;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.ResponseStatus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A message whose text fields are {@link DeferredText} reads, compares and serializes like one built eagerly. */
class DeferredTextTest {

    private static final String TRACEPARENT = "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01";

    /** The head bytes the fields are cut from: each field sits between unrelated bytes, as in a real head. */
    private static final class Head {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final List<int[]> ranges = new ArrayList<>();

        int[] add(String text) {
            out.writeBytes("junk:".getBytes(StandardCharsets.UTF_8));
            int from = out.size();
            out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
            int[] r = {from, out.size()};
            ranges.add(r);
            return r;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    private static L7Message deferred(String resource, String exception, String requestId, String traceparent) {
        Head h = new Head();
        int[] r = h.add(resource);
        int[] e = h.add(exception);
        int[] id = h.add(requestId);
        int[] t = h.add(traceparent);
        byte[] a = h.bytes();
        DeferredText text = new DeferredText.Builder().requestResource(a, r[0], r[1])
                .responseException(a, e[0], e[1]).xRequestId(a, id[0], id[1]).traceparent(a, t[0], t[1]).build();
        return base().deferred(text).build();
    }

    private static L7Message eager(String resource, String exception, String requestId, String traceparent) {
        TraceHeaders.Collector c = new TraceHeaders.Collector("x-request-id");
        c.offer("traceparent", traceparent);
        c.offerRequestId(requestId);
        return base().requestResource(resource).responseException(exception).xRequestId(c.requestId())
                .traceContext(c.context()).build();
    }

    private static L7Message.Builder base() {
        return L7Message.builder(L7Protocol.HTTP1, MessageKind.REQUEST).version("1.1").requestType("GET")
                .responseStatus(ResponseStatus.UNKNOWN).length(300).startTimestampNs(5);
    }

    @Test
    void deferredFieldsReadAsTheEagerDecodingGivesThem() {
        String[][] cases = {
            {"/api/v1/users/42", "Not Found", "9f1c2e7a", TRACEPARENT},
            {"/caf\u00e9?q=\uD83D\uDE00", "Servi\u00e7o", "  padded \u0001", " " + TRACEPARENT + " "},
            {"", "", "   ", "00-00000000000000000000000000000000-b7ad6b7169203331-01"},
            {"/x", "x", "", "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
            {"/x", "x", "id", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b71692\u00e93331-01"},
            {"/" + "\u00e9\uD83D\uDE00x".repeat(400), "E".repeat(2000), "r", "garbage"},
            {"/" + "a".repeat(L7Message.MAX_TEXT - 2) + "\uD83D\uDE00tail", "\uFFFD".repeat(300), "r", ""},
        };
        for (String[] c : cases) {
            L7Message d = deferred(c[0], c[1], c[2], c[3]);
            L7Message e = eager(c[0], c[1], c[2], c[3]);
            assertThat(d.requestResource()).isEqualTo(e.requestResource());
            assertThat(d.responseException()).isEqualTo(e.responseException());
            assertThat(d.xRequestId()).isEqualTo(e.xRequestId());
            assertThat(d.traceContext()).isEqualTo(e.traceContext());
            assertThat(d).isEqualTo(e).hasSameHashCodeAs(e).hasToString(e.toString());
            assertThat(e).isEqualTo(d);
        }
        assertThat(deferred("/r", "x", " id ", TRACEPARENT).traceContext().traceId())
                .isEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThat(deferred("/r", "x", " id ", TRACEPARENT).xRequestId()).isEqualTo("id");
    }

    @Test
    void aCappedFieldKeepsOnlyTheBytesItsCappedValueNeeds() throws IOException {
        byte[] url = ("/" + "a".repeat(1_000_000)).getBytes(StandardCharsets.UTF_8);
        DeferredText text = new DeferredText.Builder().requestResource(url, 0, url.length).build();

        assertThat(serialize(text).length).isLessThan(DeferredText.MAX_CAPPED_BYTES + 1024);
        assertThat(base().deferred(text).build().requestResource()).hasSize(L7Message.MAX_TEXT);
    }

    @Test
    void aFieldSetDirectlyWinsAndAbsentFieldsAreNull() {
        byte[] a = "/deferred".getBytes(StandardCharsets.UTF_8);
        DeferredText text = new DeferredText.Builder().requestResource(a, 0, a.length).build();
        L7Message m = base().deferred(text).requestResource("/direct").build();

        assertThat(m.requestResource()).isEqualTo("/direct");
        assertThat(m.responseException()).isNull();
        assertThat(m.xRequestId()).isNull();
        assertThat(m.traceContext()).isNull();
    }

    @Test
    void aResetBuilderForgetsThePreviousMessagesFields() {
        byte[] a = "/first".getBytes(StandardCharsets.UTF_8);
        DeferredText.Builder b = new DeferredText.Builder();
        DeferredText first = b.requestResource(a, 0, a.length).build();

        assertThat(b.reset().build()).isNull();
        DeferredText second = b.xRequestId(a, 1, a.length).build();
        assertThat(base().deferred(first).build().requestResource()).isEqualTo("/first");
        assertThat(base().deferred(second).build().requestResource()).isNull();
        assertThat(base().deferred(second).build().xRequestId()).isEqualTo("first");
    }

    @Test
    void aSerializedMessageDecodesItsFieldsAfterTheRoundTrip() throws Exception {
        L7Message m = deferred("/api/\u00e9", "Bad Gateway", "id-1", TRACEPARENT);
        m.requestResource(); // one field decoded before, the others after

        L7Message back = (L7Message) new ObjectInputStream(new ByteArrayInputStream(serialize(m))).readObject();

        assertThat(back).isEqualTo(m).isEqualTo(eager("/api/\u00e9", "Bad Gateway", "id-1", TRACEPARENT));
        assertThat(back.requestResource()).isEqualTo("/api/\u00e9");
        assertThat(back.traceContext().spanId()).isEqualTo("b7ad6b7169203331");
    }

    @Test
    void threadsReadingOneMessageAtOnceSeeTheSameValues() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 200; round++) {
                L7Message m = deferred("/r/" + round, "e" + round, "id" + round, TRACEPARENT);
                List<Future<String>> reads = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    reads.add(pool.submit(() -> fields(m)));
                }
                String expected = fields(eager("/r/" + round, "e" + round, "id" + round, TRACEPARENT));
                for (Future<String> r : reads) {
                    assertThat(r.get(10, TimeUnit.SECONDS)).isEqualTo(expected);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static String fields(L7Message m) {
        return m.requestResource() + "|" + m.responseException() + "|" + m.xRequestId() + "|" + m.traceContext();
    }

    private static byte[] serialize(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }
}
