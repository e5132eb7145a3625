package io.tapflow.trace.config;

import io.tapflow.flink.config.InvalidJobOptionsException;
import io.tapflow.flink.config.JobOption;
import io.tapflow.flink.config.JobOptions;
import io.tapflow.schema.registry.SchemaRegistryClientConfig;
import io.tapflow.trace.AssemblyOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The trace-assembly job's options (config file + flags, see {@link JobOptions}), validated before building. */
public final class TraceAssemblyOptions {

    public static final JobOption KAFKA = JobOption.string("kafka.bootstrap-servers", null,
            "Kafka bootstrap servers of tapflow.l7.request-log and the outputs").asRequired();
    public static final JobOption REGISTRY = JobOption.string("schema-registry.url", null,
            "Confluent-API schema registry URL").asRequired();
    public static final JobOption GROUP = JobOption.string("kafka.group-id", "tapflow-trace-assembly",
            "consumer group of the request-log topic (offsets are committed on checkpoints)");
    public static final JobOption TX_PREFIX = JobOption.string("kafka.transactional-id-prefix",
            "tapflow-trace-assembly", "prefix of the Kafka sinks' transactional ids; unique per deployment");
    public static final JobOption CLICKHOUSE = JobOption.string("clickhouse.url", null,
            "ClickHouse HTTP endpoint, e.g. http://clickhouse:8123").asRequired();
    public static final JobOption DATABASE = JobOption.string("clickhouse.database", "tapflow",
            "ClickHouse database holding tapflow's tables (create them with ./tapflow migrate)");
    public static final JobOption CH_USER = JobOption.string("clickhouse.user", "default", "ClickHouse user");
    public static final JobOption CH_PASSWORD = JobOption.string("clickhouse.password", "",
            "ClickHouse password (masked in logs)");
    public static final JobOption CH_FLUSH = JobOption.duration("clickhouse.flush-interval", "1s",
            "longest time a row waits in a ClickHouse batch");
    public static final JobOption CHECKPOINT = JobOption.duration("checkpoint.interval", "10s",
            "exactly-once checkpoint interval; Kafka outputs become visible to read_committed consumers on each");
    public static final JobOption OUT_OF_ORDERNESS = JobOption.duration("watermark.out-of-orderness", "5s",
            "how far behind the newest request log's end time a log may arrive and still be on time");
    public static final JobOption IDLENESS = JobOption.duration("watermark.idleness", "1m",
            "a Kafka partition without request logs for this long stops holding the watermark back");
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
    public static final JobOption PARALLELISM = JobOption.integer("parallelism", null,
            "job parallelism (default: the cluster's); the component tracker always runs at 1");

    public static final List<JobOption> ALL = List.of(KAFKA, REGISTRY, GROUP, TX_PREFIX, CLICKHOUSE, DATABASE,
            CH_USER, CH_PASSWORD, CH_FLUSH, CHECKPOINT, OUT_OF_ORDERNESS, IDLENESS, COMPLETION, LATE_RETENTION,
            CLOCK_TOLERANCE, SAME_ADDRESSES, MAX_SPANS_PER_TRACE, MAX_HELD_SPANS, MAX_LOGS_PER_KEY, PARALLELISM);

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

    public String bootstrapServers() {
        return options.required(KAFKA);
    }

    public Map<String, String> registryConfig() {
        return Map.of(SchemaRegistryClientConfig.URL, options.required(REGISTRY));
    }

    public Duration checkpointInterval() {
        return options.getDuration(CHECKPOINT);
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
