package io.tapflow.trace;

import io.tapflow.flink.config.InvalidJobOptionsException;
import io.tapflow.flink.config.JobOptions;
import io.tapflow.flink.config.PipelineOptions;
import io.tapflow.flink.deadletter.DeadLetters;
import io.tapflow.flink.kafka.AvroRecordDecoder;
import io.tapflow.flink.kafka.KafkaRecord;
import io.tapflow.flink.serde.AvroSpecificTypeInfo;
import io.tapflow.flink.sink.clickhouse.AvroRowSerializer;
import io.tapflow.flink.time.EventTimeWatermarks;
import io.tapflow.schema.DeadLetter;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.ServiceMapEdge;
import io.tapflow.schema.Span;
import io.tapflow.schema.Trace;
import io.tapflow.schema.topic.Topic;
import io.tapflow.trace.config.TraceAssemblyOptions;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Job 2 (DESIGN §5): request logs → complete distributed traces (spans with parents and self time) and service-map
 * edges, in ClickHouse and Kafka. Wiring only: the stages are {@link TraceAssembly}.
 *
 * <pre>
 * l7.request-log ─ decode ─ watermarks (end_time_us) ─ TraceAssembly ─┬─ traces ─ CH traces, Kafka tapflow.traces
 *                                                                      ├─ spans ── CH spans
 *                                                                      └─ edges ── CH service_map_1m
 * decode dead letters ─ Kafka dead-letters, CH dead_letters
 * </pre>
 *
 * <p>Event time is the request log's end: a log is produced when its response ends, so that is the time the
 * stream can be in order by.
 */
public final class TraceAssemblyJob {

    public static final String NAME = "tapflow trace-assembly";
    public static final String JOB = TraceAssemblyOptions.JOB;

    private TraceAssemblyJob() {
    }

    /** Where the job's streams come from and go to; tests pass their own. */
    public interface Io {
        DataStream<KafkaRecord> requestLogRecords(StreamExecutionEnvironment env);

        Sink<Trace> traceKafka();

        Sink<DeadLetter> deadLetterKafka();

        <T extends SpecificRecordBase> Sink<T> clickHouse(String table, AvroRowSerializer<T> serializer);
    }

    public static void main(String[] args) throws Exception {
        if (JobOptions.isHelpRequested(args)) {
            System.out.println(JobOptions.help(NAME, TraceAssemblyOptions.ALL));
            return;
        }
        // invalid options throw: main() runs inside the JobManager when submitted over REST, where exiting would
        // stop the JobManager; Flink reports the exception's message to whoever submitted the job
        TraceAssemblyOptions options = TraceAssemblyOptions.parse(args);
        options.assembly();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        configure(env, options);
        build(env, options, new KafkaClickHouseIo(options));
        env.execute(NAME);
    }

    public static void configure(StreamExecutionEnvironment env, TraceAssemblyOptions options) {
        options.pipeline().configure(env);
    }

    public static void build(StreamExecutionEnvironment env, TraceAssemblyOptions options, Io io)
            throws InvalidJobOptionsException {
        PipelineOptions pipeline = options.pipeline();
        Duration outOfOrderness = pipeline.outOfOrderness();
        Duration idleness = pipeline.idleness();

        SingleOutputStreamOperator<RequestLog> logs = io.requestLogRecords(env)
                .process(new AvroRecordDecoder<>(JOB, RequestLog.class, pipeline.registryConfig()))
                .returns(AvroSpecificTypeInfo.forRecord(RequestLog.class))
                .uid("decode-request-logs").name("decode request logs");
        DataStream<RequestLog> timed = logs.assignTimestampsAndWatermarks(requestLogWatermarks(outOfOrderness,
                idleness)).uid("request-log-watermarks").name("request-log watermarks");

        TraceAssembly.Outputs out = TraceAssembly.build(timed, options.assembly());

        out.traces().sinkTo(io.clickHouse("traces", AvroRowSerializer.<Trace>excluding("spans")))
                .uid("ch-traces").name("ClickHouse traces");
        out.traces().sinkTo(io.traceKafka()).uid("kafka-traces").name("Kafka traces");
        out.spans().sinkTo(io.clickHouse("spans", AvroRowSerializer.<Span>allFields()))
                .uid("ch-spans").name("ClickHouse spans");
        out.serviceMap().sinkTo(io.clickHouse("service_map_1m", AvroRowSerializer.<ServiceMapEdge>allFields()))
                .uid("ch-service-map-1m").name("ClickHouse service_map_1m");

        DataStream<DeadLetter> deadLetters = logs.getSideOutput(DeadLetters.OUTPUT_TAG);
        deadLetters.sinkTo(io.deadLetterKafka()).uid("kafka-dead-letters").name("Kafka dead-letters");
        deadLetters.sinkTo(io.clickHouse("dead_letters", AvroRowSerializer.<DeadLetter>allFields()))
                .uid("ch-dead-letters").name("ClickHouse dead_letters");
    }

    /** Event time = the log's end (when flow-aggregation could emit it), bounded out-of-orderness, idleness. */
    public static WatermarkStrategy<RequestLog> requestLogWatermarks(Duration outOfOrderness, Duration idleness) {
        return EventTimeWatermarks.fromNanos(log -> log.getEndTimeUs() * 1000L, outOfOrderness, idleness);
    }

    /** The production inputs and outputs: the request-log topic, tapflow.traces and the ClickHouse tables. */
    public static final class KafkaClickHouseIo implements Io {
        private final PipelineOptions pipeline;

        public KafkaClickHouseIo(TraceAssemblyOptions options) {
            this.pipeline = options.pipeline();
        }

        @Override
        public DataStream<KafkaRecord> requestLogRecords(StreamExecutionEnvironment env) {
            return pipeline.kafkaSource(env, "request logs", Topic.L7_REQUEST_LOG).uid("kafka-request-logs");
        }

        @Override
        public Sink<Trace> traceKafka() {
            return pipeline.kafkaSink(Topic.TRACES, Trace::getTraceId, "traces");
        }

        @Override
        public Sink<DeadLetter> deadLetterKafka() {
            return pipeline.deadLetterSink();
        }

        @Override
        public <T extends SpecificRecordBase> Sink<T> clickHouse(String table, AvroRowSerializer<T> serializer) {
            return pipeline.clickHouse(table, serializer);
        }
    }
}
