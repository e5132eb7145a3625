package io.tapflow.flowagg;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.collector.pcap.ReplayOptions;
import io.tapflow.flowagg.config.FlowAggregationOptions;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.topic.Topic;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.RestoredCheckpointStats;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Exactly-once effect across a TaskManager failure: the job runs unbounded on real traffic, the TaskManager is killed
 * mid-stream after at least two completed checkpoints while more traffic arrives, a new one takes over and the job
 * restores from its last checkpoint. Afterwards a read_committed consumer sees every request log once (no gap, no
 * duplicate) and ClickHouse, queried the way users are told to (FINAL on the ReplacingMergeTree), counts every
 * request exactly once.
 */
class FlowAggregationFailureITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(() -> new MiniClusterResourceConfiguration
            .Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @RegisterExtension
    static final JobFixture fixture = JobFixture.forDatabase("flowagg_failure_it");

    @Test
    void taskManagerFailureMidStreamLosesAndDuplicatesNothing(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        // live-looking event times, three passes over every golden: enough flows to be mid-stream when the TM dies
        ReplayOptions live = ReplayOptions.defaults().withShiftToNow(true).withLoops(3);
        GoldenTraffic.Traffic before = GoldenTraffic.goldens("before", live);
        fixture.publish(before.events());

        FlowAggregationOptions options = fixture.options(Map.of("checkpoint.interval", "2s"));
        JobClient job = fixture.startJob(options, new FlowAggregationJob.KafkaClickHouseIo(options),
                "flow-aggregation-failure-it");
        JobID id = job.getJobID();
        String logs = fixture.table("l7_request_log") + " FINAL";
        try {
            JobFixture.await("two completed checkpoints and the first request logs in ClickHouse",
                    Duration.ofSeconds(120), () -> completedCheckpoints(cluster, id) >= 2
                            && fixture.scalar("SELECT count() FROM " + logs) > 0);

            GoldenTraffic.Traffic after = GoldenTraffic.goldens("after", live);
            List<SpecificRecordBase> second = after.events();
            fixture.publish(second.subList(0, second.size() / 2));
            long expected = 2 * (before.requestCount() + after.requestCount());
            // kill while the second batch is being written: its first rows are in ClickHouse, so the sinks have
            // output that the last checkpoint may not cover and that the restored job replays
            long firstBatch = 2 * before.requestCount();
            JobFixture.await("the second batch's first request logs in ClickHouse", Duration.ofSeconds(60),
                    () -> fixture.scalar("SELECT count() FROM " + logs) > firstBatch);
            long completedBefore = completedCheckpoints(cluster, id);
            System.out.printf("killing the TaskManager after %d completed checkpoints, %d of %d request logs in"
                    + " ClickHouse%n", completedBefore, fixture.scalar("SELECT count() FROM " + logs), expected);
            cluster.terminateTaskManager(0).get(60, TimeUnit.SECONDS);
            cluster.startTaskManager();
            fixture.publish(second.subList(second.size() / 2, second.size()));

            JobFixture.await(expected + " request logs in ClickHouse", Duration.ofSeconds(180),
                    () -> fixture.scalar("SELECT count() FROM " + logs) >= expected);
            RestoredCheckpointStats restored = checkpoints(cluster, id).getLatestRestoredCheckpoint();
            assertThat(restored).as("the job restored from a checkpoint after the TaskManager died").isNotNull();
            assertThat(restored.getCheckpointId()).as("restored checkpoint").isGreaterThanOrEqualTo(2);
            System.out.printf("restored checkpoint %d; request log rows stored %d (FINAL counts each once)%n",
                    restored.getCheckpointId(), fixture.scalar("SELECT count() FROM "
                            + fixture.table("l7_request_log")));

            Map<String, Long> perType = new TreeMap<>(before.requests());
            after.requests().forEach((k, v) -> perType.merge(k, v, Long::sum));
            for (String point : List.of("CLIENT_PROCESS", "SERVER_PROCESS")) {
                Map<String, Long> actual = fixture.requestsByType(point);
                assertThat(actual).as("requests per protocol and type at %s, counted with FINAL; requests stored"
                        + " under more than one log id: %s", point, fixture.lines("SELECT agent_id, client_port,"
                        + " req_tcp_seq, request_id, groupArray(log_id), groupArray(start_time_us),"
                        + " groupArray(end_time_us) FROM " + logs + " WHERE observation_point = '" + point + "'"
                        + " GROUP BY agent_id, client_port, req_tcp_seq, request_id HAVING count() > 1 LIMIT 10"))
                        .isEqualTo(perType);
            }
            assertThat(fixture.scalar("SELECT count() FROM " + logs)).as("request logs in ClickHouse, FINAL")
                    .isEqualTo(expected);

            // Kafka commits on checkpoints: wait for the one after the last request log
            JobFixture.await("the last request logs committed on Kafka", Duration.ofSeconds(60),
                    () -> fixture.committed(Topic.L7_REQUEST_LOG, RequestLog.class).size() >= expected);
            List<RequestLog> committed = fixture.committed(Topic.L7_REQUEST_LOG, RequestLog.class);
            assertThat(committed).as("request logs a read_committed consumer sees").hasSize((int) expected);
            assertThat(new HashSet<>(committed.stream().map(RequestLog::getLogId).toList()))
                    .as("distinct log ids on Kafka: no duplicate").hasSize((int) expected);
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    private static long completedCheckpoints(MiniCluster cluster, JobID id) {
        return checkpoints(cluster, id).getCounts().getNumberOfCompletedCheckpoints();
    }

    private static CheckpointStatsSnapshot checkpoints(MiniCluster cluster, JobID id) {
        try {
            return cluster.getExecutionGraph(id).get(10, TimeUnit.SECONDS).getCheckpointStatsSnapshot();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the checkpoint statistics of job " + id, e);
        }
    }
}
