package io.tapflow.flink.config;

import io.tapflow.flink.kafka.KafkaRecord;
import io.tapflow.flink.kafka.TapflowKafka;
import io.tapflow.flink.sink.clickhouse.AvroRowSerializer;
import io.tapflow.flink.sink.clickhouse.ClickHouseSink;
import io.tapflow.schema.DeadLetter;
import io.tapflow.schema.registry.SchemaRegistryClientConfig;
import io.tapflow.schema.topic.Topic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStreamSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The options every tapflow job has — where Kafka, the schema registry and ClickHouse are, checkpoints, watermarks,
 * parallelism — and the environment, sources and sinks they configure, so each job declares and wires them the
 * same way. A job declares {@link #declare} plus its own options and reads its own through {@link #raw()}.
 */
public final class PipelineOptions {

    public static final JobOption KAFKA = JobOption.string("kafka.bootstrap-servers", null,
            "Kafka bootstrap servers of the job's input and output topics").asRequired();
    public static final JobOption REGISTRY = JobOption.string("schema-registry.url", null,
            "Confluent-API schema registry URL").asRequired();
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
            "how far behind the newest event time an input may arrive and still count in its window");
    public static final JobOption IDLENESS = JobOption.duration("watermark.idleness", "1m",
            "a Kafka partition without input for this long stops holding the watermark back");
    public static final JobOption PARALLELISM = JobOption.integer("parallelism", null,
            "job parallelism (default: the cluster's)");

    private static final String GROUP = "kafka.group-id";
    private static final String TX_PREFIX = "kafka.transactional-id-prefix";

    private final JobOptions options;
    private final JobOption group;
    private final JobOption transactionalIdPrefix;

    private PipelineOptions(JobOptions options, String job) {
        this.options = Objects.requireNonNull(options, "options");
        this.group = group(job);
        this.transactionalIdPrefix = transactionalIdPrefix(job);
    }

    /**
     * The shared options of job {@code job}; its consumer group and transactional id prefix default to
     * {@code tapflow-<job>}.
     */
    public static List<JobOption> declare(String job) {
        return List.of(KAFKA, REGISTRY, group(job), transactionalIdPrefix(job), CLICKHOUSE, DATABASE, CH_USER,
                CH_PASSWORD, CH_FLUSH, CHECKPOINT, OUT_OF_ORDERNESS, IDLENESS, PARALLELISM);
    }

    /** Reads the shared options of job {@code job} from options that {@link #declare}d them. */
    public static PipelineOptions of(JobOptions options, String job) {
        return new PipelineOptions(options, job);
    }

    private static JobOption group(String job) {
        return JobOption.string(GROUP, "tapflow-" + job,
                "consumer group of the input topics (offsets are committed on checkpoints)");
    }

    private static JobOption transactionalIdPrefix(String job) {
        return JobOption.string(TX_PREFIX, "tapflow-" + job,
                "prefix of the Kafka sinks' transactional ids; unique per deployment");
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

    public String groupId() {
        return options.getString(group);
    }

    public Duration checkpointInterval() {
        return options.getDuration(CHECKPOINT);
    }

    public Duration outOfOrderness() {
        return options.getDuration(OUT_OF_ORDERNESS);
    }

    public Duration idleness() {
        return options.getDuration(IDLENESS);
    }

    /** Exactly-once checkpoints at the configured interval, and the parallelism when one is set. */
    public void configure(StreamExecutionEnvironment env) {
        env.enableCheckpointing(checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        if (options.isSet(PARALLELISM)) {
            env.setParallelism(options.getInt(PARALLELISM));
        }
    }

    /** The raw records of {@code topics} (decode them with {@code AvroRecordDecoder}). */
    public DataStreamSource<KafkaRecord> kafkaSource(StreamExecutionEnvironment env, String name, Topic... topics) {
        return env.fromSource(TapflowKafka.source(bootstrapServers(), groupId(), new Properties(), topics),
                WatermarkStrategy.noWatermarks(), name);
    }

    /** An EXACTLY_ONCE sink of {@code topic}; {@code sink} names it within the job's transactional ids. */
    public <T> KafkaSink<T> kafkaSink(Topic topic, TapflowKafka.KeyFunction<T> key, String sink) {
        return TapflowKafka.exactlyOnceSink(bootstrapServers(), topic, key, registryConfig(),
                options.getString(transactionalIdPrefix) + "-" + sink, new Properties());
    }

    /** The dead-letter topic, keyed by the source topic (or the stage, for keyed-state inputs). */
    public KafkaSink<DeadLetter> deadLetterSink() {
        return kafkaSink(Topic.DEAD_LETTERS, d -> d.getSourceTopic() == null ? d.getStage() : d.getSourceTopic(),
                "dlq");
    }

    /** A sink of {@code table} in the configured ClickHouse database. */
    public <T extends SpecificRecordBase> ClickHouseSink<T> clickHouse(String table,
            AvroRowSerializer<T> serializer) {
        return ClickHouseSink.<T>builder()
                .setEndpoint(options.required(CLICKHOUSE))
                .setDatabase(options.getString(DATABASE))
                .setUsername(options.getString(CH_USER))
                .setPassword(options.getString(CH_PASSWORD))
                .setTable(table)
                .setSerializer(serializer)
                .setMaxTimeInBuffer(options.getDuration(CH_FLUSH))
                .build();
    }
}
