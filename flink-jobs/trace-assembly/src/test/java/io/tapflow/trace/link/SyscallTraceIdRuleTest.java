package io.tapflow.trace.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.RequestLog;
import io.tapflow.trace.TraceAssemblyTestBase;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyscallTraceIdRuleTest extends TraceAssemblyTestBase {

    private final SyscallTraceIdRule rule = new SyscallTraceIdRule();

    private static RequestLog.Builder inbound() {
        return log(logId(1, 0), HOST_A, ObservationPoint.SERVER_PROCESS, T0_US, T0_US + 10_000)
                .setSyscallTraceIdRequest(5).setServerPid(200);
    }

    private static RequestLog.Builder outbound(long startOffsetUs) {
        return log(logId(1, 1), HOST_A, ObservationPoint.CLIENT_PROCESS, T0_US + startOffsetUs,
                T0_US + startOffsetUs + 1_000).setSyscallTraceIdRequest(5).setClientPid(200);
    }

    @Test
    void aServerSpanIsTheParentOfTheCallsItsThreadMade() {
        RequestLog s = inbound().build();
        RequestLog c = outbound(2_000).build();
        assertThat(rule.linkKeys(s)).isEqualTo(rule.linkKeys(c)).containsExactly("sys:" + HOST_A + ":5");
        assertThat(rule.links(s, c)).isTrue();
        assertThat(rule.parent(c, List.of(s, c))).isSameAs(s);
        assertThat(rule.parent(s, List.of(s, c))).isNull();
    }

    @Test
    void otherAgentOtherProcessOrOutsideTheInboundRequestDoNotLink() {
        RequestLog s = inbound().build();
        assertThat(rule.links(s, outbound(2_000).setAgentId(HOST_B).build())).isFalse();
        assertThat(rule.links(s, outbound(2_000).setClientPid(201).build())).isFalse();
        assertThat(rule.links(s, outbound(-1).build())).as("before the inbound request").isFalse();
        assertThat(rule.links(s, outbound(10_001).build())).as("after the response").isFalse();
        assertThat(rule.links(s, outbound(2_000).setSyscallTraceIdRequest(6).build())).isFalse();
        assertThat(rule.linkKeys(inbound().setSyscallTraceIdRequest(0).build())).isEmpty();
    }

    @Test
    void twoClientSpansOfOneThreadAreNotLinkedToEachOther() {
        assertThat(rule.links(outbound(1_000).build(), outbound(3_000).setLogId(logId(1, 2)).build())).isFalse();
    }
}
