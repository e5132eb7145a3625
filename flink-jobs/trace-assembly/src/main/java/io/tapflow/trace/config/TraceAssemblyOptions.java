package io.tapflow.trace.config;

import io.tapflow.flink.config.InvalidJobOptionsException;
import io.tapflow.flink.config.JobOption;
import io.tapflow.flink.config.JobOptions;
import io.tapflow.flink.config.PipelineOptions;
import io.tapflow.trace.AssemblyOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The trace-assembly job's options (config file + flags, see {@link JobOptions}), validated before building. */
public final class TraceAssemblyOptions {

    public static final String JOB = "trace-assembly";

    public static final JobOption COMPLETION = JobOption.duration("trace.completion-timeout", "10s",
            "event time without new spans after which a trace is emitted");
    public static final JobOption LATE_RETENTION = JobOption.duration("trace.late-retention", "2m",
            "event time an emitted trace is kept so that late spans re-emit it with a higher update_seq");
    public static final JobOption CLOCK_TOLERANCE = JobOption.duration("link.clock-tolerance", "1s",
            "largest clock difference between agents that still links a client span to a server span");
    public static final JobOption SAME_ADDRESSES = JobOption.bool("link.tcp-seq.require-same-addresses", true,
            "tcp_seq links need the same client/server ip:port at both ends; turn off when traffic is NATed");
    public static final JobOption MAX_SPANS_PER_TRACE = JobOption.integer("trace.max-spans", 10_000,
            "merges that would make a trace larger than this are refused and counted");
    public static final JobOption MAX_HELD_SPANS = JobOption.longValue("trace.max-held-spans", 2_000_000L,
            "spans the component tracker holds before emitting the earliest trace early");
    public static final JobOption MAX_LOGS_PER_KEY = JobOption.integer("link.max-logs-per-key", 64,
            "request logs held per link key (a hot key is usually a placeholder value)");
    public static final List<JobOption> ALL = Stream.concat(PipelineOptions.declare(JOB).stream(),
            Stream.of(COMPLETION, LATE_RETENTION, CLOCK_TOLERANCE, SAME_ADDRESSES, MAX_SPANS_PER_TRACE,
                    MAX_HELD_SPANS, MAX_LOGS_PER_KEY)).toList();

    private final JobOptions options;

    private TraceAssemblyOptions(JobOptions options) {
        this.options = options;
    }

    public static TraceAssemblyOptions parse(String[] args) throws InvalidJobOptionsException {
        return new TraceAssemblyOptions(JobOptions.parse(args, ALL));
    }

    public static TraceAssemblyOptions of(Map<String, String> values) throws InvalidJobOptionsException {
        return new TraceAssemblyOptions(JobOptions.fromMap(values, ALL));
    }

    public JobOptions raw() {
        return options;
    }

    /** Kafka, registry, ClickHouse, checkpoints, watermarks, parallelism: what every job has. */
    public PipelineOptions pipeline() {
        return PipelineOptions.of(options, JOB);
    }

    public AssemblyOptions assembly() throws InvalidJobOptionsException {
        try {
            AssemblyOptions d = AssemblyOptions.defaults();
            Duration completion = options.getDuration(COMPLETION);
            return new AssemblyOptions(completion, options.getDuration(LATE_RETENTION),
                    options.getDuration(CLOCK_TOLERANCE), options.getBoolean(SAME_ADDRESSES),
                    options.getInt(MAX_SPANS_PER_TRACE), options.getLong(MAX_HELD_SPANS),
                    options.getInt(MAX_LOGS_PER_KEY), d.serviceMapWindow(),
                    completion.plus(Duration.ofSeconds(30)));
        } catch (IllegalArgumentException e) {
            throw new InvalidJobOptionsException(List.of(e.getMessage()));
        }
    }

    @Override
    public String toString() {
        return options.toString();
    }
}
