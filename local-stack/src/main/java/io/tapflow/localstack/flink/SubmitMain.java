package io.tapflow.localstack.flink;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code ./tapflow submit}: uploads a job's shaded jar to any Flink cluster's REST API and runs it with an options
 * file (see {@link JobSubmitter}). Exit code 0 when the job is RUNNING, 1 when something failed (one line on
 * stderr saying what), 2 for a usage error.
 */
public final class SubmitMain {

    /** The tapflow checkout whose flink-jobs/ hold the jars (./tapflow sets it; default: the working directory). */
    static final String HOME_PROPERTY = "tapflow.home";

    static final String USAGE = """
            Usage: ./tapflow submit --rest URL --config FILE [--job NAME] [--jar PATH] [--parallelism N]
                                    [--savepoint PATH [--allow-non-restored-state] | --upgrade]

            Uploads a tapflow job's shaded jar to a Flink cluster's REST API (any Flink 2.x session cluster:
            standalone, docker-compose, Kubernetes) and runs it with the options in FILE, then waits until the
            job is RUNNING. The options are read here and sent as the job's arguments, so FILE does not need to
            exist on the cluster. A job that is already running is not started twice.

            Options:
              --rest URL          the JobManager's REST endpoint, e.g. http://flink-jobmanager:8081
              --config FILE       job options, 'key: value' per line (run the job's jar with --help for the keys)
              --job NAME          flow-aggregation | trace-assembly | llm-metrics [flow-aggregation]
              --jar PATH          the shaded jar to submit [flink-jobs/<job>/target/tapflow-<job>-*.jar]
              --parallelism N     job parallelism [the job's 'parallelism' option, else the cluster default]
              --savepoint PATH    start from this savepoint (e.g. one taken by stop-with-savepoint)
              --allow-non-restored-state   with --savepoint: skip state of operators the new jar no longer has
              --upgrade           stop the running instance of the job with a savepoint, then start the jar
                                  from it (the cluster's execution.checkpointing.savepoint-dir must be set)
              -h, --help          this text
            """;

    private SubmitMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String rest = null;
        Path config = null;
        String job = JobSubmitter.Job.FLOW_AGGREGATION.id();
        Path jar = null;
        Integer parallelism = null;
        String savepoint = null;
        boolean allowNonRestored = false;
        boolean upgrade = false;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "-h", "--help" -> {
                        out.print(USAGE);
                        return 0;
                    }
                    case "--rest" -> rest = value(args, ++i, a);
                    case "--config" -> config = Path.of(value(args, ++i, a));
                    case "--job" -> job = value(args, ++i, a);
                    case "--jar" -> jar = Path.of(value(args, ++i, a));
                    case "--parallelism" -> parallelism = positive(value(args, ++i, a));
                    case "--savepoint" -> savepoint = value(args, ++i, a);
                    case "--allow-non-restored-state" -> allowNonRestored = true;
                    case "--upgrade" -> upgrade = true;
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (rest == null || config == null) {
                throw new IllegalArgumentException("--rest and --config are required");
            }
            if (upgrade && savepoint != null) {
                throw new IllegalArgumentException("--upgrade makes its own savepoint; do not pass --savepoint too");
            }
            if (allowNonRestored && savepoint == null && !upgrade) {
                throw new IllegalArgumentException("--allow-non-restored-state needs --savepoint or --upgrade");
            }
        } catch (IllegalArgumentException e) {
            err.println("tapflow submit: " + e.getMessage());
            err.println("Run './tapflow submit --help' for the options.");
            return 2;
        }
        try {
            JobSubmitter.Job j = JobSubmitter.Job.of(job);
            if (jar == null) {
                Path home = Path.of(System.getProperty(HOME_PROPERTY, "")).toAbsolutePath();
                jar = JobSubmitter.findShadedJar(home, j);
            } else if (!Files.isRegularFile(jar)) {
                throw new IllegalArgumentException("no such jar: " + jar);
            }
            if (!Files.isRegularFile(config)) {
                throw new IllegalArgumentException("no such options file: " + config);
            }
            Map<String, String> options = JobOptionsFile.read(config);
            JobSubmitter.Request request = new JobSubmitter.Request(j, jar, options, parallelism, savepoint,
                    allowNonRestored, upgrade);
            new JobSubmitter(new FlinkRestClient(rest), out).submit(request);
            return 0;
        } catch (FlinkRestException | IllegalStateException | IllegalArgumentException | UncheckedIOException e) {
            err.println("tapflow submit: " + e.getMessage());
            return 1;
        }
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    private static int positive(String v) {
        try {
            int n = Integer.parseInt(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--parallelism expects a positive integer, got '" + v + "'");
    }
}
