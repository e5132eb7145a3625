package io.tapflow.protocols;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.ResponseStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class L7MessageTest {

    @Test
    void longTextIsCappedWithoutSplittingASurrogatePair() {
        String url = "/" + "a".repeat(L7Message.MAX_TEXT - 2) + "\uD83D\uDE00tail";
        L7Message m = L7Message.builder(L7Protocol.HTTP1, MessageKind.REQUEST)
                .requestResource(url).requestDomain("d".repeat(1000)).responseException("short").build();
        assertThat(m.requestResource()).hasSize(L7Message.MAX_TEXT - 1).doesNotContain("\uD83D");
        assertThat(m.requestDomain()).hasSize(L7Message.MAX_TEXT);
        assertThat(m.responseException()).isEqualTo("short");
    }

    @Test
    void aResetBuilderBuildsLikeAFreshOneAndLeavesBuiltMessagesAlone() {
        L7Message.Builder b = L7Message.builder(L7Protocol.HTTP1, MessageKind.RESPONSE);
        b.version("1.1").requestType("GET").requestDomain("d").requestResource("/r").pairId(7).responseCode(500)
                .responseStatus(ResponseStatus.SERVER_ERROR).responseException("boom").length(10).truncated(true)
                .startTimestampNs(1).endTimestampNs(2).startTcpSeq(3).threadTraceId(4)
                .traceContext(new TraceContext("t", "s", null, "traceparent")).xRequestId("x")
                .body(new byte[] {1}).events(List.of(new StreamEvent(0, 1, null, "e")), true)
                .attribute("a", "1").attribute("b", "2");
        L7Message first = b.build();
        L7Message again = b.build();

        L7Message reset = b.reset().build();
        b.attribute("c", "3");

        assertThat(reset).isEqualTo(L7Message.builder(L7Protocol.HTTP1, MessageKind.RESPONSE).build());
        assertThat(first).isEqualTo(again);
        assertThat(first.attributes()).isEqualTo(Map.of("a", "1", "b", "2"));
        assertThat(reset.attributes()).isEmpty();
    }
}
