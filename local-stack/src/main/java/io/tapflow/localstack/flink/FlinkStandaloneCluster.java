package io.tapflow.localstack.flink;

import io.tapflow.localstack.process.FreePorts;
import io.tapflow.localstack.process.HealthCheck;
import io.tapflow.localstack.process.InstanceDir;
import io.tapflow.localstack.process.ManagedProcess;
import io.tapflow.localstack.process.ServerStartException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real standalone Flink session cluster as local processes: one JobManager JVM
 * ({@code StandaloneSessionClusterEntrypoint}) and one TaskManager JVM ({@code TaskManagerRunner}), started the way
 * Flink's {@code bin/jobmanager.sh} and {@code bin/taskmanager.sh} start them: on the jars of a stock {@code lib/}
 * ({@link FlinkLib}), with {@code --configDir} pointing at a {@code config.yaml} we write, the JVM memory flags and
 * dynamic memory properties computed by Flink's own {@code BashJavaUtils}, and the Java 17 module flags of the stock
 * config. Jobs reach it only over REST ({@link #rest()}), as shaded jars, like on any production cluster; so the
 * local stack never depends on the job modules.
 *
 * <p>Everything lives in the instance directory: {@code conf/}, {@code log/jobmanager/}, {@code log/taskmanager-N/}
 * (stdout, stderr and Flink's own log), {@code checkpoints/}, {@code savepoints/}, {@code tmp/}, uploaded jars in
 * {@code web-upload/}. The JobManager listens on 127.0.0.1 on free ports. {@link #killTaskManager()} SIGKILLs the
 * TaskManager and {@link #startTaskManager()} starts a new one, so tests can show a job recovering from a lost
 * worker: the restart strategy retries without limit and heartbeats are short, so the JobManager notices within
 * seconds.
 */
public final class FlinkStandaloneCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FlinkStandaloneCluster.class);

    public static final int SLOTS_PER_TASK_MANAGER = 4;
    static final String JOB_MANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    static final String TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    static final String BASH_JAVA_UTILS = "org.apache.flink.runtime.util.bash.BashJavaUtils";
    private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

    /** The module flags of the stock config.yaml's {@code env.java.opts.all} ("required for Java 17 support"). */
    static final List<String> JAVA_17_OPTS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private final InstanceDir dir;
    private final Path lib;
    private final Path java;
    private final Path confDir;
    private final int restPort;
    private final ManagedProcess jobManager;
    private final FlinkRestClient rest;
    private final MemoryParams taskManagerMemory;
    private ManagedProcess taskManager;
    private String taskManagerId;
    private int taskManagersStarted;

    /** JVM flags and dynamic properties computed by Flink's BashJavaUtils for one process type. */
    record MemoryParams(List<String> jvmArgs, List<String> dynamicProperties) {
    }

    private FlinkStandaloneCluster(InstanceDir dir, Path lib, Path java, Path confDir, int restPort,
                                   ManagedProcess jobManager, MemoryParams taskManagerMemory) {
        this.dir = dir;
        this.lib = lib;
        this.java = java;
        this.confDir = confDir;
        this.restPort = restPort;
        this.jobManager = jobManager;
        this.rest = new FlinkRestClient(restUrl());
        this.taskManagerMemory = taskManagerMemory;
    }

    /** A cluster (JobManager + one registered TaskManager) on a temporary directory that {@link #close()} deletes. */
    public static FlinkStandaloneCluster start() {
        return start(InstanceDir.temporary("flink"));
    }

    /** A cluster whose checkpoints, savepoints and logs live in {@code dataDir} and survive {@link #close()}. */
    public static FlinkStandaloneCluster start(Path dataDir) {
        return start(InstanceDir.kept(dataDir));
    }

    private static FlinkStandaloneCluster start(InstanceDir dir) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        FlinkStandaloneCluster cluster;
        try {
            Path lib = FlinkLib.locate();
            cluster = ManagedProcess.launch(dir, java.toString(), "Debian package openjdk-17-jdk-headless",
                    binary -> startJobManager(binary, lib, dir));
        } catch (RuntimeException e) {
            dir.close();
            throw e;
        }
        try {
            cluster.startTaskManager();
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        LOG.info("Flink standalone cluster up at {} (dir {})", cluster.restUrl(), dir.root());
        return cluster;
    }

    private static FlinkStandaloneCluster startJobManager(Path java, Path lib, InstanceDir dir) {
        int[] ports = FreePorts.find(2);
        int restPort = ports[0];
        int rpcPort = ports[1];
        Path conf = dir.dir("conf");
        dir.write("conf/config.yaml", configYaml(dir, restPort, rpcPort));
        dir.write("conf/log4j.properties", LOG4J_PROPERTIES);
        MemoryParams jmMemory = bashJavaUtils(java, lib, conf, "GET_JM_RESOURCE_PARAMS");
        MemoryParams tmMemory = bashJavaUtils(java, lib, conf, "GET_TM_RESOURCE_PARAMS");
        Path logDir = dir.dir("log/jobmanager");
        Path flinkLog = logDir.resolve("jobmanager.log");
        List<String> args = new ArrayList<>(jvmArgs(jmMemory, lib, conf, flinkLog));
        args.add(JOB_MANAGER_MAIN);
        args.addAll(List.of("--configDir", conf.toString()));
        args.addAll(jmMemory.dynamicProperties());
        ManagedProcess jm = ManagedProcess.builder("flink-jobmanager")
                .command(java, args)
                .workDir(dir.root())
                .logDir(logDir)
                .extraLog(flinkLog)
                .healthCheck(HealthCheck.httpGet(URI.create("http://127.0.0.1:" + restPort + "/overview"), "{"))
                .startTimeout(Duration.ofSeconds(90))
                .stopTimeout(Duration.ofSeconds(30))
                .start();
        return new FlinkStandaloneCluster(dir, lib, java, conf, restPort, jm, tmMemory);
    }

    /**
     * Starts a new TaskManager JVM (the previous one must be gone: {@link #killTaskManager()}) and waits until it
     * has registered with the JobManager; returns its resource id ({@code tm-1}, {@code tm-2}, …).
     */
    public synchronized String startTaskManager() {
        if (taskManager != null && taskManager.isAlive()) {
            throw new IllegalStateException("TaskManager " + taskManagerId + " (pid " + taskManager.pid()
                    + ") is still running");
        }
        String id = "tm-" + (++taskManagersStarted);
        Path logDir = dir.dir("log/taskmanager-" + taskManagersStarted);
        Path flinkLog = logDir.resolve("taskmanager.log");
        List<String> args = new ArrayList<>(jvmArgs(taskManagerMemory, lib, confDir, flinkLog));
        args.add(TASK_MANAGER_MAIN);
        args.addAll(List.of("--configDir", confDir.toString()));
        args.addAll(taskManagerMemory.dynamicProperties());
        args.addAll(List.of("-D", "taskmanager.resource-id=" + id));
        taskManager = ManagedProcess.builder("flink-taskmanager-" + taskManagersStarted)
                .command(java, args)
                .workDir(dir.root())
                .logDir(logDir)
                .extraLog(flinkLog)
                .healthCheck(registered(id))
                .startTimeout(Duration.ofSeconds(90))
                .stopTimeout(Duration.ofSeconds(30))
                .start();
        taskManagerId = id;
        return id;
    }

    /**
     * SIGKILLs the TaskManager process — no shutdown hooks, no goodbye to the JobManager, like a crashed machine —
     * and waits until the process is gone. The JobManager learns of it through failed heartbeats.
     */
    public synchronized void killTaskManager() {
        if (taskManager == null) {
            throw new IllegalStateException("no TaskManager running");
        }
        ProcessHandle handle = taskManager.handle();
        handle.destroyForcibly();
        try {
            handle.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("TaskManager " + taskManagerId + " (pid " + handle.pid()
                    + ") survived SIGKILL for 10 s", e);
        }
        taskManager.close();
        LOG.info("TaskManager {} (pid {}) killed", taskManagerId, handle.pid());
        taskManager = null;
        taskManagerId = null;
    }

    /** Waits until the JobManager lists exactly {@code count} task managers, each with its slots; returns them. */
    public List<FlinkRestClient.TaskManager> awaitTaskManagers(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<FlinkRestClient.TaskManager> last = List.of();
        while (true) {
            last = rest.taskManagers();
            if (last.size() == count && last.stream().allMatch(tm -> tm.slots() > 0)) {
                return last;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the JobManager at " + restUrl() + " lists " + last.size()
                        + " task managers after " + timeout.toSeconds() + " s, expected " + count + ": " + last);
            }
            sleep(200);
        }
    }

    public String restUrl() {
        return "http://127.0.0.1:" + restPort;
    }

    public int restPort() {
        return restPort;
    }

    public FlinkRestClient rest() {
        return rest;
    }

    /** {@code execution.checkpointing.dir}: where jobs without their own setting checkpoint. */
    public Path checkpointDirectory() {
        return dir.root().resolve("checkpoints");
    }

    /** {@code execution.checkpointing.savepoint-dir}: the default target of stop-with-savepoint. */
    public Path savepointDirectory() {
        return dir.root().resolve("savepoints");
    }

    public Path directory() {
        return dir.root();
    }

    public long jobManagerPid() {
        return jobManager.pid();
    }

    /** The running TaskManager's pid; throws when there is none. */
    public synchronized long taskManagerPid() {
        if (taskManager == null) {
            throw new IllegalStateException("no TaskManager running");
        }
        return taskManager.pid();
    }

    public synchronized String taskManagerId() {
        return taskManagerId;
    }

    /** Stops the TaskManager and the JobManager (SIGTERM, then SIGKILL after 30 s) and deletes a temporary dir. */
    @Override
    public synchronized void close() {
        try {
            if (taskManager != null) {
                taskManager.close();
            }
        } finally {
            try {
                jobManager.close();
            } finally {
                dir.close();
            }
        }
    }

    private HealthCheck registered(String id) {
        return new HealthCheck() {
            @Override
            public boolean ready() {
                // listed first, its slots counted only after its first slot report: a job submitted in between
                // waits for resources, a test checking the slots sees none
                return rest.taskManagers().stream().anyMatch(tm -> tm.id().equals(id) && tm.slots() > 0);
            }

            @Override
            public String describe() {
                return "GET " + restUrl() + "/taskmanagers lists " + id + " with its slots";
            }
        };
    }

    private static List<String> jvmArgs(MemoryParams memory, Path lib, Path conf, Path flinkLog) {
        List<String> args = new ArrayList<>(memory.jvmArgs());
        args.addAll(JAVA_17_OPTS);
        args.add("-Dlog.file=" + flinkLog);
        args.add("-Dlog4j.configurationFile=file:" + conf.resolve("log4j.properties"));
        args.add("-classpath");
        args.add(FlinkLib.classPath(lib));
        return args;
    }

    /**
     * Runs Flink's {@code BashJavaUtils} as {@code bin/config.sh} does: it derives the JVM heap/direct/metaspace
     * flags and the fine-grained memory sizes (passed as {@code -D} dynamic properties) from config.yaml.
     */
    static MemoryParams bashJavaUtils(Path java, Path lib, Path conf, String command) {
        List<String> cmd = List.of(java.toString(), "-classpath", FlinkLib.classPath(lib), BASH_JAVA_UTILS,
                command, "--configDir", conf.toString());
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new ServerStartException("Flink BashJavaUtils " + command + " failed", String.join(" ", cmd),
                        out);
            }
            List<String> results = out.lines().filter(l -> l.startsWith(RESULT_PREFIX))
                    .map(l -> l.substring(RESULT_PREFIX.length()).strip()).toList();
            if (results.size() < 2) {
                throw new ServerStartException("Flink BashJavaUtils " + command + " printed no memory settings",
                        String.join(" ", cmd), out);
            }
            return new MemoryParams(split(results.get(0)), split(results.get(1)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running BashJavaUtils", e);
        }
    }

    private static List<String> split(String line) {
        return line.isBlank() ? List.of() : Arrays.asList(line.trim().split("\\s+"));
    }

    private static String configYaml(InstanceDir dir, int restPort, int rpcPort) {
        Path root = dir.root();
        dir.dir("checkpoints");
        dir.dir("savepoints");
        dir.dir("tmp");
        dir.dir("web-upload");
        // Flat keys are valid in Flink 2's standard-YAML config.yaml; values with paths are quoted.
        return """
                # written by tapflow local-stack; rewritten on every start
                jobmanager.rpc.address: 127.0.0.1
                jobmanager.rpc.port: %2$d
                jobmanager.bind-host: 127.0.0.1
                jobmanager.memory.process.size: 1024m
                jobmanager.execution.failover-strategy: region
                taskmanager.host: 127.0.0.1
                taskmanager.bind-host: 127.0.0.1
                taskmanager.numberOfTaskSlots: %4$d
                taskmanager.memory.process.size: 2048m
                # jobs keep state on the heap (hashmap backend): little managed memory is needed
                taskmanager.memory.managed.fraction: 0.1
                rest.address: 127.0.0.1
                rest.bind-address: 127.0.0.1
                rest.port: %3$d
                parallelism.default: 1
                state.backend.type: hashmap
                execution.checkpointing.dir: "file://%1$s/checkpoints"
                execution.checkpointing.savepoint-dir: "file://%1$s/savepoints"
                # a lost TaskManager is a restart like any other: keep trying while a new one comes up
                restart-strategy.type: fixed-delay
                restart-strategy.fixed-delay.attempts: 2147483647
                restart-strategy.fixed-delay.delay: 1 s
                # a SIGKILLed TaskManager is noticed after two failed heartbeat RPCs, not after the 50 s default
                heartbeat.interval: 1000
                heartbeat.timeout: 10000
                # a job main() calling System.exit must not take the JobManager down with it
                cluster.intercept-user-system-exit: THROW
                io.tmp.dirs: "%1$s/tmp"
                web.upload.dir: "%1$s/web-upload"
                web.tmpdir: "%1$s/tmp"
                blob.storage.directory: "%1$s/tmp"
                """.formatted(root, rpcPort, restPort, SLOTS_PER_TASK_MANAGER);
    }

    private static final String LOG4J_PROPERTIES = """
            # written by tapflow local-stack: Flink's log of each process goes to ${sys:log.file}
            rootLogger.level = INFO
            rootLogger.appenderRef.file.ref = MainAppender
            appender.main.name = MainAppender
            appender.main.type = File
            appender.main.append = true
            appender.main.fileName = ${sys:log.file}
            appender.main.layout.type = PatternLayout
            appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5level %-60c %x - %m%n
            logger.kafka.name = org.apache.kafka
            logger.kafka.level = WARN
            logger.metricgroup.name = org.apache.flink.metrics.MetricGroup
            logger.metricgroup.level = ERROR
            """;

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
