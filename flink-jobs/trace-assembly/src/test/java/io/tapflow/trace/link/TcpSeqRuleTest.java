package io.tapflow.trace.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.ResponseStatus;
import io.tapflow.trace.TraceAssemblyTestBase;
import java.util.List;
import org.junit.jupiter.api.Test;

class TcpSeqRuleTest extends TraceAssemblyTestBase {

    private static final long TOLERANCE_US = 1_000_000;
    private final TcpSeqRule rule = new TcpSeqRule(TOLERANCE_US, true);

    private static RequestLog.Builder client() {
        return log(logId(1, 0), HOST_A, ObservationPoint.CLIENT_PROCESS, T0_US, T0_US + 10_000).setReqTcpSeq(77L)
                .setRespTcpSeq(99L);
    }

    private static RequestLog.Builder server(long skewUs) {
        return log(logId(1, 1), HOST_B, ObservationPoint.SERVER_PROCESS, T0_US + 200 + skewUs,
                T0_US + 9_800 + skewUs).setReqTcpSeq(77L).setRespTcpSeq(99L);
    }

    @Test
    void theTwoEndsOfOneRequestLinkAndTheClientIsTheParent() {
        RequestLog c = client().build();
        RequestLog s = server(0).build();
        assertThat(rule.linkKeys(c)).isEqualTo(rule.linkKeys(s)).containsExactly("tcp:77");
        assertThat(rule.links(c, s)).isTrue();
        assertThat(rule.links(s, c)).isTrue();
        assertThat(rule.parent(s, List.of(c, s))).isSameAs(c);
        assertThat(rule.parent(c, List.of(c, s))).isNull();
    }

    @Test
    void clockSkewWithinToleranceLinksAndBeyondItDoesNot() {
        assertThat(rule.links(client().build(), server(-900_000).build())).isTrue();
        assertThat(rule.links(client().build(), server(900_000).build())).isTrue();
        assertThat(rule.links(client().build(), server(-1_100_000).build())).isFalse();
        assertThat(rule.links(client().build(), server(1_100_000).build())).isFalse();
    }

    @Test
    void theSameSeqOnAnotherFlowDoesNotLink() {
        assertThat(rule.links(client().build(), server(0).setServerPort(9999).build())).isFalse();
        assertThat(rule.links(client().build(), server(0).setClientPort(1234).build())).isFalse();
        assertThat(rule.links(client().build(), server(0).setServerIp("10.9.9.9").build())).isFalse();
        assertThat(new TcpSeqRule(TOLERANCE_US, false).links(client().build(), server(0).setServerIp("10.9.9.9")
                .build())).as("NAT mode ignores addresses").isTrue();
    }

    @Test
    void aDualStackEndReportingIpv4MappedAddressesIsTheSameConnection() {
        // a Java client's socket is AF_INET6 and reports ::ffff:10.0.0.1; redis-server's IPv4 socket 10.0.0.1
        RequestLog c = client().setClientIp("::ffff:" + IP_A).setServerIp("::FFFF:" + IP_B).build();
        assertThat(rule.links(c, server(0).build())).isTrue();
        assertThat(rule.links(server(0).build(), c)).isTrue();
        assertThat(rule.links(c, server(0).setClientIp("::ffff:" + IP_B).build())).isFalse();
        assertThat(rule.links(client().setClientIp("::1").build(), server(0).setClientIp("::1").build())).isTrue();
        assertThat(rule.links(client().setServerIp("::1").build(), server(0).build())).isFalse();
    }

    @Test
    void conflictingProtocolResourceStatusOrResponseSeqDoNotLink() {
        RequestLog c = client().build();
        assertThat(rule.links(c, server(0).setL7Protocol(L7Protocol.REDIS).build())).isFalse();
        assertThat(rule.links(c, server(0).setRequestResource("/other").build())).isFalse();
        assertThat(rule.links(c, server(0).setResponseStatus(ResponseStatus.SERVER_ERROR).setResponseCode(200)
                .build())).isFalse();
        assertThat(rule.links(c, server(0).setResponseCode(503).build())).isFalse();
        assertThat(rule.links(c, server(0).setRespTcpSeq(100L).build())).isFalse();
        assertThat(rule.links(c, server(0).setResponseStatus(ResponseStatus.UNKNOWN).build()))
                .as("an unknown status says nothing").isTrue();
    }

    @Test
    void twoSpansOfOneSideOrWithoutSeqNeverLink() {
        RequestLog c = client().build();
        RequestLog c2 = client().setLogId(logId(1, 2)).build();
        assertThat(rule.links(c, c2)).isFalse();
        assertThat(rule.linkKeys(client().setReqTcpSeq(null).build())).isEmpty();
        assertThat(rule.links(c, server(0).setReqTcpSeq(78L).build())).isFalse();
    }

    @Test
    void loopbackEndsOnOneAgentLink() {
        assertThat(rule.links(client().build(), server(0).setAgentId(HOST_A).build())).isTrue();
    }
}
