package io.tapflow.llm.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Billing across repeated TaskManager failures: real traffic (curl against {@link ScriptedLlmServerMain}, captured
 * by the real eBPF collector) is replayed in batches into the unbounded job, each batch one hour later than the one
 * before (so that every batch makes the job emit the previous hours' usage) and under its own agent id (so that its
 * requests are new ones, not replays of the last batch's). Five times, the TaskManager is killed while a batch is
 * half published and its first requests are in ClickHouse, a new one starts, the job restores from its last
 * checkpoint and the batch's second half follows. Afterwards the README's reconciliation query finds no difference
 * between llm_usage_hourly and llm_requests, and per tenant and model the usage holds exactly the tokens the server
 * says it sent, times the batches: 0 lost, 0 duplicated.
 */
class LlmBillingFailureITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(() -> new MiniClusterResourceConfiguration
            .Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final int INJECTIONS = 5;
    private static final int BATCHES = INJECTIONS + 1;
    private static final long HOUR_NS = TimeUnit.HOURS.toNanos(1);
    /** How many hours before the capture the first batch is replayed at: all batches lie in the past. */
    private static final int HOURS_BACK = BATCHES + 3;

    /** One tenant's requests of one model: its key, the model (its schedule, unique per pair), streamed or not. */
    record Billed(String key, String model, boolean stream) {
    }

    private static final List<Billed> TRAFFIC = List.of(
            new Billed("key-A", "s-10-5-8", true),
            new Billed("key-A", "s-12-4-11", false),
            new Billed("key-B", "s-8-6-9", true),
            new Billed("key-C", "s-9-5-13", true));
    private static final int REPEATS = 3;

    @RegisterExtension
    static final LlmJobFixture fixture = LlmJobFixture.forDatabase("llm_billing_it");

    @Test
    void taskManagerFailuresMidStreamBillEveryTokenExactlyOnce(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        List<SpecificRecordBase> captured;
        Map<String, long[]> sent = new TreeMap<>(); // "tenant model" -> {requests, input, output} of one batch
        try (ScriptedServer server = ScriptedServer.start();
                CollectorCapture capture = CollectorCapture.of(server, "llm-billing")) {
            List<List<String>> curls = IntStream.range(0, TRAFFIC.size() * REPEATS).mapToObj(i -> {
                Billed b = TRAFFIC.get(i % TRAFFIC.size());
                return LlmClients.curl(server.base(), "/v1/chat/completions",
                        LlmClients.body("/v1/chat/completions", b.model(), b.stream(), true, null), b.key(), null);
            }).toList();
            capture.runStaggered(curls, Duration.ofMillis(30));
            capture.pollFor(Duration.ofSeconds(2));
            captured = capture.events();
            for (ScriptedServer.Served s : server.served()) {
                Billed b = TRAFFIC.stream().filter(t -> t.model().equals(s.model())).findFirst().orElseThrow();
                long[] totals = sent.computeIfAbsent(LlmJobFixture.tenant(b.key()) + " " + b.model(),
                        k -> new long[3]);
                totals[0]++;
                totals[1] += 7 + s.tokens(); // the server's usage: prompt_tokens = 7 + tokens written
                totals[2] += s.tokens();
            }
        }
        long perBatch = sent.values().stream().mapToLong(t -> t[0]).sum();
        assertThat(perBatch).as("requests the server finished").isEqualTo(TRAFFIC.size() * REPEATS);

        JobClient job = fixture.start(fixture.options(Map.of(
                "watermark.idleness", "2s",
                // hourly usage is first emitted this long after its hour: the next batch's watermark passes it
                "llm.exchange-timeout", "30s",
                "prometheus.remote-write-url", "")), false, "llm-billing-failure-it");
        JobID id = job.getJobID();
        String requests = "SELECT count() FROM " + fixture.table("llm_requests") + " FINAL";
        try {
            fixture.publish(batch(captured, 0));
            LlmJobFixture.await("two completed checkpoints and the first batch in ClickHouse", Duration.ofSeconds(120),
                    () -> checkpoints(cluster, id).getCounts().getNumberOfCompletedCheckpoints() >= 2
                            && fixture.scalar(requests) == perBatch);
            for (int k = 1; k <= INJECTIONS; k++) {
                List<SpecificRecordBase> batch = batch(captured, k);
                fixture.publish(batch.subList(0, batch.size() / 2));
                long before = k * perBatch;
                LlmJobFixture.await("the first requests of batch " + k + " in ClickHouse", Duration.ofSeconds(60),
                        () -> fixture.scalar(requests) > before);
                System.out.printf("injection %d: killing the TaskManager with %d of %d requests in ClickHouse, %d"
                        + " completed checkpoints%n", k, fixture.scalar(requests), before + perBatch,
                        checkpoints(cluster, id).getCounts().getNumberOfCompletedCheckpoints());
                // the MiniCluster keeps terminated TaskManagers in its list: the live one is the k-th
                long killedNs = System.nanoTime();
                cluster.terminateTaskManager(k - 1).get(60, TimeUnit.SECONDS);
                cluster.startTaskManager();
                fixture.publish(batch.subList(batch.size() / 2, batch.size()));
                long restoresSoFar = k;
                LlmJobFixture.await("batch " + k + " in ClickHouse after restore " + k, Duration.ofSeconds(120),
                        () -> checkpoints(cluster, id).getCounts().getNumberOfRestoredCheckpoints() >= restoresSoFar
                                && fixture.scalar(requests) == before + perBatch);
                System.out.printf("injection %d: restored, batch complete %d ms after the kill%n", k,
                        (System.nanoTime() - killedNs) / 1_000_000);
            }
            // the close events of the last batch two hours later: no requests, but a watermark past the last hour
            fixture.publish(shifted(captured.stream().filter(e -> e instanceof TcpEvent).toList(), "llm-billing-end",
                    BATCHES + 2 - HOURS_BACK));
            long total = BATCHES * perBatch;
            String billed = "SELECT sum(v) FROM (SELECT max(version) AS v FROM " + fixture.table("llm_usage_hourly")
                    + " GROUP BY usage_id)";
            LlmJobFixture.await("usage of all " + total + " requests", Duration.ofSeconds(120),
                    () -> fixture.scalar(billed) == total);
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }

        CheckpointStatsSnapshot stats = checkpoints(cluster, id);
        assertThat(stats.getCounts().getNumberOfRestoredCheckpoints()).as("restores").isEqualTo(INJECTIONS);
        System.out.printf("last restored checkpoint %d; llm_requests rows stored %d for %d requests;"
                + " llm_usage_hourly rows %d%n", stats.getLatestRestoredCheckpoint().getCheckpointId(),
                fixture.scalar("SELECT count() FROM " + fixture.table("llm_requests")), BATCHES * perBatch,
                fixture.scalar("SELECT count() FROM " + fixture.table("llm_usage_hourly")));
        assertThat(fixture.lines(fixture.reconciliation())).as("usage rows that disagree with llm_requests").isEmpty();
        List<String> expected = new ArrayList<>();
        sent.forEach((tenantModel, t) -> expected.add(tenantModel.replace(' ', '\t') + "\t" + BATCHES * t[0] + "\t"
                + BATCHES * t[1] + "\t" + BATCHES * t[2]));
        String perTenantAndModel = "SELECT tenant, model, sum(r), sum(i), sum(o) FROM (SELECT tenant, model,"
                + " argMax(requests, version) AS r, argMax(input_tokens, version) AS i,"
                + " argMax(output_tokens, version) AS o FROM " + fixture.table("llm_usage_hourly")
                + " GROUP BY usage_id, tenant, model) GROUP BY tenant, model ORDER BY tenant, model";
        assertThat(fixture.lines(perTenantAndModel)).as("usage per tenant and model: requests, input, output tokens")
                .containsExactlyElementsOf(expected);
    }

    /** The capture as batch {@code k}: agent "llm-billing-k", {@code k} hours after the first batch. */
    private static List<SpecificRecordBase> batch(List<SpecificRecordBase> captured, int k) {
        return shifted(captured, "llm-billing-" + k, k - HOURS_BACK);
    }

    private static List<SpecificRecordBase> shifted(List<SpecificRecordBase> events, String agent, long hours) {
        List<SpecificRecordBase> out = new ArrayList<>(events.size());
        for (SpecificRecordBase e : events) {
            if (e instanceof SocketDataEvent d) {
                out.add(SocketDataEvent.newBuilder(d).setAgentId(agent)
                        .setTimestampNs(d.getTimestampNs() + hours * HOUR_NS).build());
            } else {
                TcpEvent t = (TcpEvent) e;
                out.add(TcpEvent.newBuilder(t).setAgentId(agent).setTimestampNs(t.getTimestampNs() + hours * HOUR_NS)
                        .build());
            }
        }
        return out;
    }

    private static CheckpointStatsSnapshot checkpoints(MiniCluster cluster, JobID id) {
        try {
            return cluster.getExecutionGraph(id).get(10, TimeUnit.SECONDS).getCheckpointStatsSnapshot();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the checkpoint statistics of job " + id, e);
        }
    }
}
