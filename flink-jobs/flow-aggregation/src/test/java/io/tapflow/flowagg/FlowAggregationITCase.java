package io.tapflow.flowagg;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.collector.pcap.ReplayOptions;
import io.tapflow.flowagg.config.FlowAggregationOptions;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.topic.Topic;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole job on a MiniCluster between a real Kafka broker, the schema registry and ClickHouse 18.16, fed with
 * real traffic: the protocol goldens (curl vs nginx over HTTP/1.1 and HTTP/2, redis-cli vs redis-server, psql vs
 * PostgreSQL, dig vs unbound over UDP and TCP) replayed by the collector's pcap source as the raw events of both
 * ends of every connection. The requests the clients sent (the reviewed .expected files) must come out exactly.
 */
class FlowAggregationITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(() -> new MiniClusterResourceConfiguration
            .Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @RegisterExtension
    static final JobFixture fixture = JobFixture.forDatabase("flowagg_it");

    @Test
    void realTrafficComesOutAsExactRequestLogsFlowLogsAndMetrics() throws Exception {
        GoldenTraffic.Traffic traffic = GoldenTraffic.goldens("replay", ReplayOptions.defaults());
        Map<String, Long> expected = traffic.requests();
        fixture.publish(traffic.events());

        FlowAggregationOptions options = fixture.options(Map.of());
        JobClient job = fixture.startJob(options, new FlowAggregationJob.KafkaClickHouseIo(options, true), "flow-aggregation-it");
        job.getJobExecutionResult().get(180, TimeUnit.SECONDS);

        String logs = fixture.table("l7_request_log") + " FINAL";
        for (String point : List.of("CLIENT_PROCESS", "SERVER_PROCESS")) {
            Map<String, Long> actual = fixture.requestsByType(point);
            assertThat(actual).as("requests per protocol and request type seen at %s (logs without a request: %s)",
                    point, fixture.lines("SELECT agent_id, l4_protocol, client_port, server_port, request_id,"
                            + " response_code, start_time_us FROM " + logs + " WHERE observation_point = '" + point
                            + "' AND request_type IS NULL"))
                    .isEqualTo(expected);
        }
        long total = traffic.requestCount();

        assertThat(fixture.scalar("SELECT count() FROM " + logs + " WHERE l4_protocol = 'TCP' AND req_tcp_seq IS NULL"))
                .as("TCP request logs without req_tcp_seq").isZero();
        assertThat(fixture.scalar("SELECT count() FROM " + logs + " WHERE response_status = 'TIMEOUT'"))
                .as("requests left without a response").isZero();
        // the two ends saw the same requests: same first-byte sequence numbers, and loopback latencies within 1 ms
        assertThat(fixture.lines("SELECT req_tcp_seq, response_duration_us FROM " + logs + " WHERE l4_protocol = 'TCP'"
                + " AND observation_point = 'CLIENT_PROCESS' ORDER BY req_tcp_seq").stream().map(l -> l.split("\t")[0])
                .toList())
                .isEqualTo(fixture.lines("SELECT req_tcp_seq FROM " + logs + " WHERE l4_protocol = 'TCP'"
                        + " AND observation_point = 'SERVER_PROCESS' ORDER BY req_tcp_seq"));
        assertThat(fixture.scalar("SELECT count() FROM (SELECT req_tcp_seq, response_duration_us AS c FROM " + logs
                + " WHERE observation_point = 'CLIENT_PROCESS' AND l4_protocol = 'TCP') ANY INNER JOIN"
                + " (SELECT req_tcp_seq, response_duration_us AS s FROM " + logs
                + " WHERE observation_point = 'SERVER_PROCESS' AND l4_protocol = 'TCP') USING req_tcp_seq"
                + " WHERE c < s OR c - s > 1000"))
                .as("requests whose client-side latency is below the server's or more than 1 ms above").isZero();

        for (String red : List.of("app_metrics_1m", "app_metrics_1s")) {
            assertThat(fixture.scalar("SELECT sum(requests) FROM " + fixture.table(red) + " FINAL"))
                    .as("%s requests over both observation points", red).isEqualTo(2 * total);
        }
        assertThat(fixture.scalar("SELECT count() FROM " + fixture.table("l4_flow_log") + " FINAL WHERE is_final = 1"))
                .as("final flow logs: one per socket (each end of each connection)").isEqualTo(traffic.sockets());
        assertThat(fixture.committed(Topic.L7_REQUEST_LOG, RequestLog.class))
                .as("request logs on Kafka, read_committed").hasSize((int) (2 * total));
    }
}
