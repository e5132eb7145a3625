package io.tapflow.flowagg.config;

import io.tapflow.flink.config.InvalidJobOptionsException;
import io.tapflow.flink.config.JobOption;
import io.tapflow.flink.config.JobOptions;
import io.tapflow.flowagg.reassembly.ReassemblyOptions;
import io.tapflow.protocols.ParserOptions;
import io.tapflow.schema.registry.SchemaRegistryClientConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The flow-aggregation job's options (config file + flags, see {@link JobOptions}), validated before building. */
public final class FlowAggregationOptions {

    public static final JobOption KAFKA = JobOption.string("kafka.bootstrap-servers", null,
            "Kafka bootstrap servers of the raw topics and the outputs").asRequired();
    public static final JobOption REGISTRY = JobOption.string("schema-registry.url", null,
            "Confluent-API schema registry URL").asRequired();
    public static final JobOption GROUP = JobOption.string("kafka.group-id", "tapflow-flow-aggregation",
            "consumer group of the raw topics (offsets are committed on checkpoints)");
    public static final JobOption TX_PREFIX = JobOption.string("kafka.transactional-id-prefix",
            "tapflow-flow-aggregation", "prefix of the Kafka sinks' transactional ids; unique per deployment");
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
            "how far behind the newest syscall timestamp an event may arrive and still count in its window");
    public static final JobOption IDLENESS = JobOption.duration("watermark.idleness", "1m",
            "a Kafka partition without events for this long stops holding the watermark back");
    public static final JobOption REQUEST_TIMEOUT = JobOption.duration("flow.request-timeout", "30s",
            "a request without response for this long is logged as TIMEOUT");
    public static final JobOption IDLE_TIMEOUT = JobOption.duration("flow.idle-timeout", "5m",
            "a flow without events for this long is finished (close type TIMEOUT) and its state freed");
    public static final JobOption CLOSE_GRACE = JobOption.duration("flow.close-grace", "2s",
            "wait after a close event for data events still in flight before finishing the flow");
    public static final JobOption FLOW_LOG_INTERVAL = JobOption.duration("flow.log-interval", "1m",
            "interval of the non-final L4 flow log emissions of a long-lived flow");
    public static final JobOption SERVICES = JobOption.list("services", "",
            "service names: comm=service or ip:port=service pairs, e.g. nginx=gateway,10.0.0.5:5432=orders-db");
    public static final JobOption PARALLELISM = JobOption.integer("parallelism", null,
            "job parallelism (default: the cluster's)");

    public static final List<JobOption> ALL = List.of(KAFKA, REGISTRY, GROUP, TX_PREFIX, CLICKHOUSE, DATABASE,
            CH_USER, CH_PASSWORD, CH_FLUSH, CHECKPOINT, OUT_OF_ORDERNESS, IDLENESS, REQUEST_TIMEOUT, IDLE_TIMEOUT,
            CLOSE_GRACE, FLOW_LOG_INTERVAL, SERVICES, PARALLELISM);

    private final JobOptions options;

    private FlowAggregationOptions(JobOptions options) {
        this.options = options;
    }

    public static FlowAggregationOptions parse(String[] args) throws InvalidJobOptionsException {
        return new FlowAggregationOptions(JobOptions.parse(args, ALL));
    }

    public static FlowAggregationOptions of(Map<String, String> values) throws InvalidJobOptionsException {
        return new FlowAggregationOptions(JobOptions.fromMap(values, ALL));
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

    public ReassemblyOptions reassembly() throws InvalidJobOptionsException {
        Map<String, String> services = new LinkedHashMap<>();
        for (String pair : options.getList(SERVICES)) {
            int eq = pair.indexOf('=');
            if (eq <= 0 || eq == pair.length() - 1) {
                throw new InvalidJobOptionsException(List.of("services: expected name=service pairs, got '"
                        + pair + "'"));
            }
            services.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        ReassemblyOptions d = ReassemblyOptions.defaults();
        return new ReassemblyOptions(options.getDuration(REQUEST_TIMEOUT), options.getDuration(IDLE_TIMEOUT),
                options.getDuration(CLOSE_GRACE), options.getDuration(FLOW_LOG_INTERVAL), d.reorderWait(),
                d.maxHeldSegments(), d.maxPendingRequests(), d.maxPayloadBytes(), d.detectionAttempts(),
                d.minConfidence(), ParserOptions.DEFAULTS, services);
    }

    @Override
    public String toString() {
        return options.toString();
    }
}
