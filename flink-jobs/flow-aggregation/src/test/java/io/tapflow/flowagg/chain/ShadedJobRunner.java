package io.tapflow.flowagg.chain;

import io.tapflow.localstack.flink.JobOptionsFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.program.PackagedProgram;
import org.apache.flink.client.program.PackagedProgramUtils;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;

/**
 * Runs a job's shaded jar on a MiniCluster the way {@code flink run} does: its main() builds the job graph inside
 * the jar's own child-first class loader, and the jar travels with the graph to the task managers' blob cache. So a
 * test can run a job whose classes it cannot have on its class path (trace-assembly's shaded jar bundles copies of
 * the libraries this module uses, and the module order forbids a class-path dependency on it).
 */
public final class ShadedJobRunner {

    private ShadedJobRunner() {
    }

    /**
     * Class loading for a shaded job on a MiniCluster: the cluster's class path is the test's, which carries the
     * Kafka connector, and Flink loads everything under org.apache.flink parent-first; the Kafka client the
     * connector links against must then come from the same loader, not from the jar (a loader constraint violation
     * otherwise). On a stock cluster neither is on the parent class path and both come from the jar. Use it for the
     * MiniCluster's configuration too: the task managers load the job's classes by it.
     */
    public static Configuration classLoading() {
        Configuration conf = new Configuration();
        conf.set(CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL, List.of("org.apache.kafka."));
        return conf;
    }

    /** Submits {@code jar}'s main with {@code options} as program arguments; returns once the job is submitted. */
    public static JobID submit(MiniCluster cluster, Path jar, Map<String, String> options, int parallelism)
            throws Exception {
        PackagedProgram program = PackagedProgram.newBuilder()
                .setJarFile(jar.toFile())
                .setArguments(JobOptionsFile.toProgramArgs(options).toArray(new String[0]))
                .setConfiguration(classLoading())
                .build();
        try {
            JobGraph graph = PackagedProgramUtils.createJobGraph(program, classLoading(), parallelism, false);
            return cluster.submitJob(graph).get(60, TimeUnit.SECONDS).getJobID();
        } finally {
            program.close();
        }
    }

    /** Cancels the job and waits (bounded) until it is gone. */
    public static void cancel(MiniCluster cluster, JobID job, Duration timeout) throws Exception {
        cluster.cancelJob(job).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!cluster.getJobStatus(job).get(timeout.toMillis(), TimeUnit.MILLISECONDS).isGloballyTerminalState()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + job + " did not stop within " + timeout);
            }
            Thread.sleep(200);
        }
    }
}
