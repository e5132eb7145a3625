package io.tapflow.protocols;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TraceHeadersTest {

    @Test
    void w3cTraceparentWinsOverOtherFormats() {
        TraceHeaders.Collector c = new TraceHeaders.Collector("x-request-id");
        c.offer("uber-trace-id", "5c7e4a:1a2b:0:1");
        c.offer("TraceParent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        c.offer("X-Request-ID", " req-7 ");
        assertThat(c.context()).isEqualTo(new TraceContext("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
                null, "traceparent"));
        assertThat(c.requestId()).isEqualTo("req-7");
    }

    @Test
    void b3SingleAndMultiHeader() {
        assertThat(TraceHeaders.b3("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90"))
                .isEqualTo(new TraceContext("80f198ee56343ba864fe8b2a57d3eff7", "e457b5a2e4d86bd1", "05e3ac9a4f6e3b90",
                        "b3"));
        assertThat(TraceHeaders.b3("1")).isNull();
        TraceHeaders.Collector c = new TraceHeaders.Collector("x-request-id");
        c.offer("X-B3-TraceId", "463ac35c9f6413ad");
        c.offer("X-B3-SpanId", "a2fb4a1d1a96d312");
        c.offer("X-B3-ParentSpanId", "0020000000000001");
        assertThat(c.context()).isEqualTo(new TraceContext("463ac35c9f6413ad", "a2fb4a1d1a96d312", "0020000000000001",
                "x-b3"));
    }

    @Test
    void jaegerAndSkyWalking() {
        assertThat(TraceHeaders.uber("5c7e4a%3A1a2b%3A0%3A1")).isEqualTo(
                new TraceContext("00000000005c7e4a", "0000000000001a2b", null, "uber-trace-id"));
        // sw8: sample-base64(traceId)-base64(segmentId)-spanId-... (SkyWalking cross-process propagation v3)
        String sw8 = "1-" + b64("trace-1") + "-" + b64("seg-1") + "-3-" + b64("svc") + "-" + b64("inst") + "-"
                + b64("/ep") + "-" + b64("host:80");
        assertThat(TraceHeaders.sw8(sw8)).isEqualTo(new TraceContext("trace-1", "seg-1.3", null, "sw8"));
    }

    @Test
    void invalidValuesAreIgnored() {
        assertThat(TraceHeaders.traceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).isNull();
        assertThat(TraceHeaders.traceparent("00-xyz-00f067aa0ba902b7-01")).isNull();
        assertThat(TraceHeaders.uber("a:b")).isNull();
        assertThat(TraceHeaders.sw8("1-!!-x-1-a-b-c-d")).isNull();
        TraceHeaders.Collector c = new TraceHeaders.Collector("x-request-id");
        assertThat(c.offer("content-type", "text/plain")).isFalse();
        assertThat(c.context()).isNull();
    }

    @Test
    void traceparentFromBytesDecidesLikeTheStringForm() {
        String valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        java.util.List<String> values = new java.util.ArrayList<>(java.util.List.of(valid, " " + valid + "\t",
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01", valid + "-extra", valid.substring(0, 53),
                valid.substring(0, 52), "ff" + valid.substring(2), "f0" + valid.substring(2), "zz" + valid.substring(2),
                "0-" + valid.substring(2), "-0" + valid.substring(2), "00--" + valid.substring(4),
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01", "", "00", "00-é-x",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-é"));
        // every single-byte change of the ids (letters, digits and the bytes around the hex ranges)
        for (int i = 0; i < valid.length(); i++) {
            for (char ch : "0 9:@AFGaf`gz-/".toCharArray()) {
                values.add(valid.substring(0, i) + ch + valid.substring(i + 1));
            }
        }
        for (String v : values) {
            TraceHeaders.Collector fromBytes = new TraceHeaders.Collector("x-request-id");
            byte[] b = ("x" + v + "y").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            fromBytes.offerTraceparent(b, 1, b.length - 1);
            TraceHeaders.Collector fromString = new TraceHeaders.Collector("x-request-id");
            fromString.offer("traceparent", v);
            assertThat(fromBytes.context()).as(v).isEqualTo(fromString.context());
        }
    }

    private static String b64(String s) {
        return java.util.Base64.getEncoder().encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
