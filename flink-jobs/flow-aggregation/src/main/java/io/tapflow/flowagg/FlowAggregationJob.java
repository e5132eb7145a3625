package io.tapflow.flowagg;

import io.tapflow.flink.config.InvalidJobOptionsException;
import io.tapflow.flink.config.JobOptions;
import io.tapflow.flink.config.KafkaRawEventIo;
import io.tapflow.flink.config.PipelineOptions;
import io.tapflow.flink.config.RawEventIo;
import io.tapflow.flink.deadletter.DeadLetters;
import io.tapflow.flink.flow.RawEventStreams;
import io.tapflow.flink.serde.AvroSpecificTypeInfo;
import io.tapflow.flink.sink.clickhouse.AvroRowSerializer;
import io.tapflow.flowagg.config.FlowAggregationOptions;
import io.tapflow.flowagg.metrics.FlowMetrics;
import io.tapflow.flowagg.metrics.RequestSample;
import io.tapflow.flowagg.reassembly.FlowReassembler;
import io.tapflow.flowagg.reassembly.ReassemblyOptions;
import io.tapflow.schema.DeadLetter;
import io.tapflow.schema.FlowLog;
import io.tapflow.schema.NetMetric;
import io.tapflow.schema.RedMetric;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.ServiceMapEdge;
import io.tapflow.schema.topic.Topic;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Job 1 (DESIGN §5): raw socket data and TCP events → request logs, L4 flow logs, RED, service-map and TCP metrics,
 * in ClickHouse and Kafka. Wiring only: every stage is its own class.
 *
 * <pre>
 * raw.socket-data ─ decode ─ watermarks ─┐
 *                                         ├─ keyBy(agent, socket) ─ FlowReassembler ─┬─ request logs ─┬─ CH l7_request_log, Kafka l7.request-log
 * raw.tcp-events ── decode ─ watermarks ─┘                                           │                 ├─ RED 1s/1m ─ CH app_metrics_1s/1m
 *                                                                                    │                 └─ edges 1m ─ CH app_map_1m
 *                                                                                    └─ flow logs ─ CH l4_flow_log, Kafka l4.flow-log, net 1m ─ CH net_metrics_1m
 * every stage's dead letters ─ Kafka dead-letters, CH dead_letters
 * </pre>
 */
public final class FlowAggregationJob {

    public static final String NAME = "tapflow flow-aggregation";

    private FlowAggregationJob() {
    }

    /** Where the job's streams come from and go to; tests pass their own. */
    public interface Io extends RawEventIo {
        Sink<RequestLog> requestLogKafka();

        Sink<FlowLog> flowLogKafka();
    }

    public static void main(String[] args) throws Exception {
        if (JobOptions.isHelpRequested(args)) {
            System.out.println(JobOptions.help(NAME, FlowAggregationOptions.ALL));
            return;
        }
        // invalid options throw: main() runs inside the JobManager when submitted over REST, where exiting would
        // stop the JobManager; Flink reports the exception's message to whoever submitted the job
        FlowAggregationOptions options = FlowAggregationOptions.parse(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        configure(env, options);
        build(env, options, new KafkaClickHouseIo(options));
        env.execute(NAME);
    }

    public static void configure(StreamExecutionEnvironment env, FlowAggregationOptions options) {
        options.pipeline().configure(env);
        // every request log goes to several chained sinks; without reuse Flink deep-copies the Avro record for each
        // (a third of the reassembler's time in the bench). Safe here: no stage mutates its input or emits the same
        // object twice, and the Avro serializers never reuse a record when deserializing.
        env.getConfig().enableObjectReuse();
    }

    public static void build(StreamExecutionEnvironment env, FlowAggregationOptions options, Io io)
            throws InvalidJobOptionsException {
        ReassemblyOptions reassembly = options.reassembly();
        PipelineOptions pipeline = options.pipeline();
        Duration outOfOrderness = pipeline.outOfOrderness();
        Duration idleness = pipeline.idleness();
        Map<String, String> registry = pipeline.registryConfig();

        RawEventStreams raw = RawEventStreams.decode(io.rawRecords(env), FlowReassembler.JOB, registry);
        SingleOutputStreamOperator<RequestLog> requestLogs = raw.byFlow(outOfOrderness, idleness)
                .process(new FlowReassembler(reassembly), AvroSpecificTypeInfo.forRecord(RequestLog.class))
                .uid("flow-reassembler").name("flow reassembler");
        DataStream<FlowLog> flowLogs = requestLogs.getSideOutput(FlowReassembler.FLOW_LOGS);

        requestLogs.sinkTo(io.clickHouse("l7_request_log", AvroRowSerializer.<RequestLog>allFields()))
                .uid("ch-l7-request-log").name("ClickHouse l7_request_log");
        requestLogs.sinkTo(io.requestLogKafka()).uid("kafka-l7-request-log").name("Kafka l7.request-log");
        flowLogs.sinkTo(io.clickHouse("l4_flow_log", AvroRowSerializer.<FlowLog>allFields()))
                .uid("ch-l4-flow-log").name("ClickHouse l4_flow_log");
        flowLogs.sinkTo(io.flowLogKafka()).uid("kafka-l4-flow-log").name("Kafka l4.flow-log");

        DataStream<RequestSample> samples = FlowMetrics.samples(requestLogs);
        FlowMetrics.red(samples, Duration.ofSeconds(1)).metrics()
                .sinkTo(io.clickHouse("app_metrics_1s", AvroRowSerializer.<RedMetric>allFields()))
                .uid("ch-app-metrics-1s").name("ClickHouse app_metrics_1s");
        FlowMetrics.red(samples, Duration.ofMinutes(1)).metrics()
                .sinkTo(io.clickHouse("app_metrics_1m", AvroRowSerializer.<RedMetric>allFields()))
                .uid("ch-app-metrics-1m").name("ClickHouse app_metrics_1m");
        FlowMetrics.serviceMap(samples, Duration.ofMinutes(1)).metrics()
                .sinkTo(io.clickHouse("app_map_1m", AvroRowSerializer.<ServiceMapEdge>allFields()))
                .uid("ch-app-map-1m").name("ClickHouse app_map_1m");
        FlowMetrics.net(flowLogs, Duration.ofMinutes(1), reassembly.idleTimeout().multipliedBy(2)).metrics()
                .sinkTo(io.clickHouse("net_metrics_1m", AvroRowSerializer.<NetMetric>allFields()))
                .uid("ch-net-metrics-1m").name("ClickHouse net_metrics_1m");

        DataStream<DeadLetter> deadLetters = raw.deadLetters()
                .union(requestLogs.getSideOutput(DeadLetters.OUTPUT_TAG));
        deadLetters.sinkTo(io.deadLetterKafka()).uid("kafka-dead-letters").name("Kafka dead-letters");
        deadLetters.sinkTo(io.clickHouse("dead_letters", AvroRowSerializer.<DeadLetter>allFields()))
                .uid("ch-dead-letters").name("ClickHouse dead_letters");
    }

    /** The production inputs and outputs: the raw topics, the output topics and the ClickHouse tables. */
    public static final class KafkaClickHouseIo extends KafkaRawEventIo implements Io {

        public KafkaClickHouseIo(FlowAggregationOptions options) {
            this(options, false);
        }

        /** With {@code boundedInput}: the raw topics up to their end at start, then the job finishes. */
        public KafkaClickHouseIo(FlowAggregationOptions options, boolean boundedInput) {
            super(options.pipeline(), boundedInput);
        }

        @Override
        public Sink<RequestLog> requestLogKafka() {
            return pipeline.kafkaSink(Topic.L7_REQUEST_LOG, RequestLog::getFlowId, "l7");
        }

        @Override
        public Sink<FlowLog> flowLogKafka() {
            return pipeline.kafkaSink(Topic.L4_FLOW_LOG, FlowLog::getFlowId, "l4");
        }
    }
}
