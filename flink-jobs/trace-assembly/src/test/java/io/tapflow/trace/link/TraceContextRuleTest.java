package io.tapflow.trace.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.RequestLog;
import io.tapflow.trace.TraceAssemblyTestBase;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceContextRuleTest extends TraceAssemblyTestBase {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private final TraceContextRule rule = new TraceContextRule();

    @Test
    void theServerSpanOfAHopIsTheChildOfTheClientSpanThatSentTheHeader() {
        RequestLog c = log(logId(1, 0), HOST_A, ObservationPoint.CLIENT_PROCESS, T0_US, T0_US + 10).setTraceId(TRACE)
                .setSpanId("00f067aa0ba902b7").build();
        RequestLog s = log(logId(1, 1), HOST_B, ObservationPoint.SERVER_PROCESS, T0_US + 1, T0_US + 9)
                .setTraceId(TRACE.toUpperCase()).setSpanId("00f067aa0ba902b7").build();
        assertThat(rule.linkKeys(s)).isEqualTo(rule.linkKeys(c)).containsExactly("ctx:" + TRACE);
        assertThat(rule.links(c, s)).isTrue();
        assertThat(rule.parent(s, List.of(c, s))).isSameAs(c);
    }

    @Test
    void aB3ParentNamesTheInboundHop() {
        RequestLog in = log(logId(1, 0), HOST_A, ObservationPoint.SERVER_PROCESS, T0_US, T0_US + 10).setTraceId(TRACE)
                .setSpanId("aaaaaaaaaaaaaaaa").build();
        RequestLog out = log(logId(1, 1), HOST_A, ObservationPoint.CLIENT_PROCESS, T0_US + 1, T0_US + 9)
                .setTraceId(TRACE).setSpanId("bbbbbbbbbbbbbbbb").setParentSpanId("aaaaaaaaaaaaaaaa").build();
        assertThat(rule.parent(out, List.of(in, out))).isSameAs(in);
    }

    @Test
    void otherTraceIdsOrNoneDoNotLink() {
        RequestLog a = log(logId(1, 0), HOST_A, ObservationPoint.CLIENT_PROCESS, T0_US, T0_US).setTraceId(TRACE)
                .build();
        RequestLog b = log(logId(1, 1), HOST_A, ObservationPoint.SERVER_PROCESS, T0_US, T0_US)
                .setTraceId("0af7651916cd43dd8448eb211c80319c").build();
        assertThat(rule.links(a, b)).isFalse();
        assertThat(rule.linkKeys(log(logId(1, 2), HOST_A, ObservationPoint.CLIENT_PROCESS, T0_US, T0_US).build()))
                .isEmpty();
    }
}
