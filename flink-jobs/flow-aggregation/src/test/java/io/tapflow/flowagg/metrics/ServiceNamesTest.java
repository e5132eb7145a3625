package io.tapflow.flowagg.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.schema.FlowLog;
import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.RequestLog;
import org.junit.jupiter.api.Test;

class ServiceNamesTest extends MetricsTestBase {

    @Test
    void measuredServiceIsTheServerSideForServerObservations() {
        RequestLog.Builder log = requestBuilder(0).setObservationPoint(ObservationPoint.SERVER_PROCESS);
        assertThat(ServiceNames.measuredService(log.build())).isEqualTo(CART);
        assertThat(ServiceNames.measuredService(log.setServerService(null).build())).isEqualTo("java");
        assertThat(ServiceNames.measuredService(log.setServerProcess(null).build())).isEqualTo("10.0.0.2:8080");
    }

    @Test
    void measuredServiceIsTheClientSideForClientAndUnknownObservations() {
        RequestLog.Builder log = requestBuilder(0).setObservationPoint(ObservationPoint.CLIENT_PROCESS)
                .setClientProcess("node");
        assertThat(ServiceNames.measuredService(log.build())).isEqualTo(FRONTEND);
        assertThat(ServiceNames.measuredService(log.setClientService(null).build())).isEqualTo("node");
        assertThat(ServiceNames.measuredService(log.setClientProcess(null).build())).isEqualTo("10.0.0.1:41234");
        assertThat(ServiceNames.measuredService(log.setObservationPoint(ObservationPoint.UNKNOWN).build()))
                .isEqualTo("10.0.0.1:41234");
    }

    @Test
    void edgeClientFallsBackToTheIpWithoutPortAndServerToIpAndPort() {
        RequestLog.Builder log = requestBuilder(0).setClientProcess("node");
        assertThat(ServiceNames.clientService(log.build())).isEqualTo(FRONTEND);
        assertThat(ServiceNames.clientService(log.setClientService(null).build())).isEqualTo("node");
        assertThat(ServiceNames.clientService(log.setClientProcess(null).build())).isEqualTo("10.0.0.1");
        assertThat(ServiceNames.serverService(log.build())).isEqualTo(CART);
        assertThat(ServiceNames.serverService(log.setServerService(null).setServerProcess(null).build()))
                .isEqualTo("10.0.0.2:8080");
    }

    @Test
    void blankNamesCountAsUnknown() {
        RequestLog log = requestBuilder(0).setServerService(" ").setServerProcess("").build();
        assertThat(ServiceNames.serverService(log)).isEqualTo("10.0.0.2:8080");
    }

    @Test
    void flowEdgesFollowTheSameRules() {
        FlowLog.Builder flow = flowBuilder("f", 0, 0, 0);
        assertThat(ServiceNames.clientService(flow.build())).isEqualTo(FRONTEND);
        assertThat(ServiceNames.clientService(flow.setClientService(null).build())).isEqualTo("node");
        assertThat(ServiceNames.clientService(flow.setClientProcess(null).build())).isEqualTo("10.0.0.1");
        assertThat(ServiceNames.serverService(flow.build())).isEqualTo(CART);
        assertThat(ServiceNames.serverService(flow.setServerService(null).build())).isEqualTo("10.0.0.2:8080");
    }
}
