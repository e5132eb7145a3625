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
    void aHeaderForwardedUnchangedNamesTheClientSpanOfTheSameConnection() {
        List<RequestLog> trace = forwardedChain();
        RequestLog toGateway = trace.get(0);
        RequestLog toA = trace.get(2);
        RequestLog toB = trace.get(4);
        assertThat(rule.parent(trace.get(1), trace)).isSameAs(toGateway);
        assertThat(rule.parent(trace.get(3), trace)).as("not the earliest client that carried the id").isSameAs(toA);
        assertThat(rule.parent(trace.get(5), trace)).isSameAs(toB);
        // a client span's parent comes from the other rules (W3C names no parent of the caller)
        assertThat(rule.parent(toA, trace)).isNull();
    }

    @Test
    void withoutAClientSpanOnTheSameConnectionTheEarliestCallerStandsIn() {
        // behind NAT the two ends report different addresses: the earliest client that sent the id is the caller
        List<RequestLog> chain = forwardedChain();
        RequestLog natted = hop(9, HOST_B, ObservationPoint.SERVER_PROCESS, 1_200, 29_000, 5000, 80);
        assertThat(rule.parent(natted, List.of(chain.get(2), natted, chain.get(0)))).isSameAs(chain.get(0));
    }

    /**
     * client → gateway → A → B, every service copying the inbound traceparent onto its call (no instrumentation):
     * client and server log of each hop, in that order.
     */
    private static List<RequestLog> forwardedChain() {
        return List.of(
                hop(0, HOST_A, ObservationPoint.CLIENT_PROCESS, 0, 40_000, 41000, 8080),
                hop(1, HOST_A, ObservationPoint.SERVER_PROCESS, 100, 39_000, 41000, 8080),
                hop(2, HOST_A, ObservationPoint.CLIENT_PROCESS, 1_000, 30_000, 42000, 9000),
                hop(3, HOST_B, ObservationPoint.SERVER_PROCESS, 1_200, 29_000, 42000, 9000),
                hop(4, HOST_B, ObservationPoint.CLIENT_PROCESS, 2_000, 20_000, 43000, 9100),
                hop(5, HOST_B, ObservationPoint.SERVER_PROCESS, 2_100, 19_000, 43000, 9100));
    }

    @Test
    void aB3ParentForwardedUnchangedNamesTheInboundHopOfTheCallingProcess() {
        String parent = "aaaaaaaaaaaaaaaa";
        RequestLog atGateway = log(logId(1, 0), HOST_A, ObservationPoint.SERVER_PROCESS, T0_US, T0_US + 40_000)
                .setTraceId(TRACE).setSpanId(parent).setServerPid(200).build();
        RequestLog atA = log(logId(1, 1), HOST_B, ObservationPoint.SERVER_PROCESS, T0_US + 1_000, T0_US + 30_000)
                .setTraceId(TRACE).setSpanId(parent).setServerPid(300).build();
        RequestLog fromA = log(logId(1, 2), HOST_B, ObservationPoint.CLIENT_PROCESS, T0_US + 2_000, T0_US + 20_000)
                .setTraceId(TRACE).setSpanId("bbbbbbbbbbbbbbbb").setParentSpanId(parent).setClientPid(300).build();
        assertThat(rule.parent(fromA, List.of(atGateway, atA, fromA))).isSameAs(atA);
    }

    /** One log of a request whose traceparent every hop forwarded unchanged. */
    private static RequestLog hop(int index, String agent, ObservationPoint point, long startUs, long endUs,
            int clientPort, int serverPort) {
        return log(logId(7, index), agent, point, T0_US + startUs, T0_US + endUs).setClientPort(clientPort)
                .setServerPort(serverPort).setTraceId(TRACE).setSpanId("00f067aa0ba902b7").build();
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
