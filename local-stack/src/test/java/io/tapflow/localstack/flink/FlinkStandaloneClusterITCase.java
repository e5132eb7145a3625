package io.tapflow.localstack.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapflow.localstack.process.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The standalone cluster as real separate JVMs: a JobManager and a TaskManager that registers with it, a TaskManager
 * killed with SIGKILL that the JobManager drops, and a new one that registers in its place. No job modules.
 */
class FlinkStandaloneClusterITCase {

    @Test
    void taskManagerCanBeKilledAndReplaced() throws Exception {
        Path dir;
        ProcessHandle jm;
        int restPort;
        try (FlinkStandaloneCluster flink = FlinkStandaloneCluster.start()) {
            dir = flink.directory();
            restPort = flink.restPort();
            jm = ProcessHandle.of(flink.jobManagerPid()).orElseThrow();
            long tmPid = flink.taskManagerPid();
            assertThat(tmPid).as("TaskManager and JobManager are separate processes").isNotEqualTo(jm.pid());
            assertThat(jm.info().commandLine().orElse("")).contains(FlinkStandaloneCluster.JOB_MANAGER_MAIN);
            assertThat(ProcessHandle.of(tmPid).orElseThrow().info().commandLine().orElse(""))
                    .contains(FlinkStandaloneCluster.TASK_MANAGER_MAIN);

            JsonNode overview = flink.rest().overview();
            assertThat(overview.path("flink-version").asText()).isEqualTo("2.2.1");
            assertThat(overview.path("taskmanagers").asInt()).isEqualTo(1);
            assertThat(overview.path("slots-total").asInt()).isEqualTo(FlinkStandaloneCluster.SLOTS_PER_TASK_MANAGER);
            assertThat(flink.rest().taskManagers()).singleElement()
                    .satisfies(tm -> {
                        assertThat(tm.id()).isEqualTo("tm-1");
                        assertThat(tm.freeSlots()).isEqualTo(FlinkStandaloneCluster.SLOTS_PER_TASK_MANAGER);
                    });
            assertThat(flink.rest().jobs()).isEmpty();
            assertThat(Files.readString(dir.resolve("conf/config.yaml"))).contains("rest.port: " + restPort);
            assertThat(dir.resolve("log/jobmanager/jobmanager.log")).isNotEmptyFile();
            assertThat(dir.resolve("log/taskmanager-1/taskmanager.log")).isNotEmptyFile();

            long t0 = System.nanoTime();
            flink.killTaskManager();
            assertThat(ProcessHandle.of(tmPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(flink.awaitTaskManagers(0, Duration.ofSeconds(30))).isEmpty();
            long lostMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(flink.rest().overview().path("slots-total").asInt()).isZero();

            assertThat(flink.startTaskManager()).isEqualTo("tm-2");
            List<FlinkRestClient.TaskManager> tms = flink.awaitTaskManagers(1, Duration.ofSeconds(30));
            assertThat(tms).extracting(FlinkRestClient.TaskManager::id).containsExactly("tm-2");
            assertThat(flink.taskManagerPid()).isNotEqualTo(tmPid);
            assertThat(jm.isAlive()).as("the JobManager outlives its TaskManagers").isTrue();
            System.out.println("JobManager dropped the killed TaskManager after " + lostMs + " ms");

            assertThatThrownBy(flink::startTaskManager).hasMessageContaining("still running");

            // Flink's own error text comes back in the exception
            assertThatThrownBy(() -> flink.rest().runJar("no-such-jar.jar", FlinkRestClient.RunRequest.of(List.of())))
                    .isInstanceOf(FlinkRestException.class)
                    .hasMessageContaining("POST /jars/no-such-jar.jar/run")
                    .hasMessageContaining("no-such-jar.jar")
                    .satisfies(e -> assertThat(((FlinkRestException) e).status()).isBetween(400, 599));
        }
        assertThat(jm.isAlive()).isFalse();
        assertThat(FreePorts.isFree(restPort)).isTrue();
        assertThat(Files.exists(dir)).isFalse();
        assertThatThrownBy(() -> new FlinkRestClient("http://127.0.0.1:" + restPort).overview())
                .isInstanceOf(FlinkRestException.class)
                .hasMessageContaining("unreachable");
    }
}
