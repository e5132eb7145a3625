package io.tapflow.trace.link;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.RequestLog;
import io.tapflow.trace.TraceAssemblyTestBase;
import java.util.List;
import org.junit.jupiter.api.Test;

class XRequestIdRuleTest extends TraceAssemblyTestBase {

    private static final String ID = "7f3c2a9e-1b4d-4c8e-9a6f-0d2e5b7c1a3f";
    private final XRequestIdRule rule = new XRequestIdRule(1_000_000);

    @Test
    void aProxysSpansAndTheUpstreamShareTheIdAndNest() {
        RequestLog proxyIn = log(logId(1, 0), HOST_A, ObservationPoint.SERVER_PROCESS, T0_US, T0_US + 10_000)
                .setXRequestId(ID).build();
        RequestLog proxyOut = log(logId(1, 1), HOST_A, ObservationPoint.CLIENT_PROCESS, T0_US + 100, T0_US + 9_000)
                .setXRequestId(ID).build();
        RequestLog upstream = log(logId(1, 2), HOST_B, ObservationPoint.SERVER_PROCESS, T0_US + 300, T0_US + 8_000)
                .setXRequestId(ID).build();
        List<RequestLog> trace = List.of(proxyIn, proxyOut, upstream);
        assertThat(rule.linkKeys(proxyIn)).containsExactly("xrid:" + ID);
        assertThat(rule.links(proxyIn, upstream)).isTrue();
        assertThat(rule.parent(proxyOut, trace)).isSameAs(proxyIn);
        assertThat(rule.parent(upstream, trace)).isSameAs(proxyOut);
        assertThat(rule.parent(proxyIn, trace)).isNull();
    }

    @Test
    void placeholdersAndRequestsFarApartInTimeDoNotLink() {
        assertThat(rule.linkKeys(log(logId(1, 0), HOST_A, ObservationPoint.SERVER_PROCESS, T0_US, T0_US)
                .setXRequestId("-").build())).isEmpty();
        RequestLog a = log(logId(1, 0), HOST_A, ObservationPoint.SERVER_PROCESS, T0_US, T0_US + 10).setXRequestId(ID)
                .build();
        RequestLog b = log(logId(1, 1), HOST_B, ObservationPoint.SERVER_PROCESS, T0_US + 5_000_000,
                T0_US + 5_000_010).setXRequestId(ID).build();
        assertThat(rule.links(a, b)).isFalse();
    }
}
