package io.tapflow.protocols;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.schema.L7Protocol;
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
}
