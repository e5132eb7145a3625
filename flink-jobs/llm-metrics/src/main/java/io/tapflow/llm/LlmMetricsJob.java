package io.tapflow.llm;

import io.tapflow.flink.config.InvalidJobOptionsException;
import io.tapflow.flink.config.JobOptions;
import io.tapflow.flink.config.KafkaRawEventIo;
import io.tapflow.flink.config.PipelineOptions;
import io.tapflow.flink.config.RawEventIo;
import io.tapflow.flink.deadletter.DeadLetters;
import io.tapflow.flink.flow.RawEventStreams;
import io.tapflow.flink.sink.clickhouse.AvroRowSerializer;
import io.tapflow.flink.sink.prometheus.PrometheusRemoteWriteSink;
import io.tapflow.flink.sink.prometheus.PrometheusTimeSeries;
import io.tapflow.llm.assembly.LlmExchangeAssembler;
import io.tapflow.llm.config.LlmMetricsOptions;
import io.tapflow.llm.recognition.LlmExchange;
import io.tapflow.llm.recognition.LlmRequestAnalyzer;
import io.tapflow.schema.DeadLetter;
import io.tapflow.schema.LlmMetric;
import io.tapflow.schema.LlmRequest;
import io.tapflow.schema.LlmUsage;
import io.tapflow.schema.topic.Topic;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Job 3 (DESIGN §5): raw socket data and TCP events of LLM inference traffic → per-request records, 1-min metrics,
 * hourly billable usage and Prometheus {@code gen_ai_*} series. Wiring only: every stage is its own class.
 *
 * <pre>
 * raw.socket-data ─ decode ─ watermarks ─┐
 *                                         ├─ keyBy(agent, socket) ─ LlmExchangeAssembler ─ LlmPipeline ─┬─ requests ─ CH llm_requests, Kafka llm.requests
 * raw.tcp-events ── decode ─ watermarks ─┘                                                               ├─ 1-min rows ─ CH llm_metrics_1m
 *                                                                                                        ├─ usage ─ CH llm_usage_hourly, Kafka llm.usage
 *                                                                                                        └─ series ─ Prometheus remote write
 * every stage's dead letters ─ Kafka dead-letters, CH dead_letters
 * </pre>
 */
public final class LlmMetricsJob {

    public static final String NAME = "tapflow llm-metrics";

    private LlmMetricsJob() {
    }

    /** Where the job's streams come from and go to; tests pass their own. */
    public interface Io extends RawEventIo {
        Sink<LlmRequest> requestKafka();

        Sink<LlmUsage> usageKafka();

        /** The Prometheus remote-write sink, or null for none. */
        Sink<PrometheusTimeSeries> prometheus();
    }

    public static void main(String[] args) throws Exception {
        if (JobOptions.isHelpRequested(args)) {
            System.out.println(JobOptions.help(NAME, LlmMetricsOptions.ALL));
            return;
        }
        // invalid options throw: main() runs inside the JobManager when submitted over REST, where exiting would
        // stop the JobManager; Flink reports the exception's message to whoever submitted the job
        LlmMetricsOptions options = LlmMetricsOptions.parse(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        configure(env, options);
        build(env, options, new KafkaClickHouseIo(options));
        env.execute(NAME);
    }

    public static void configure(StreamExecutionEnvironment env, LlmMetricsOptions options) {
        options.pipeline().configure(env);
    }

    public static void build(StreamExecutionEnvironment env, LlmMetricsOptions options, Io io)
            throws InvalidJobOptionsException {
        PipelineOptions pipeline = options.pipeline();
        Duration outOfOrderness = pipeline.outOfOrderness();
        Duration idleness = pipeline.idleness();
        Map<String, String> registry = pipeline.registryConfig();
        String job = LlmMetricsOptions.JOB;

        RawEventStreams raw = RawEventStreams.decode(io.rawRecords(env), job, registry);
        SingleOutputStreamOperator<LlmExchange> exchanges = raw.byFlow(outOfOrderness, idleness)
                .process(new LlmExchangeAssembler(options.assembly()), LlmTypes.EXCHANGE)
                .uid("llm-exchange-assembler").name("LLM exchange assembler");

        LlmPipeline.Streams out = LlmPipeline.build(exchanges,
                new LlmRequestAnalyzer(options.endpoints(), options.tenants()), options.pipelineSettings());

        out.requests().sinkTo(io.clickHouse("llm_requests", AvroRowSerializer.<LlmRequest>allFields()))
                .uid("ch-llm-requests").name("ClickHouse llm_requests");
        out.requests().sinkTo(io.requestKafka()).uid("kafka-llm-requests").name("Kafka llm.requests");
        out.metrics1m().sinkTo(io.clickHouse("llm_metrics_1m", AvroRowSerializer.<LlmMetric>allFields()))
                .uid("ch-llm-metrics-1m").name("ClickHouse llm_metrics_1m");
        out.usage().sinkTo(io.clickHouse("llm_usage_hourly", AvroRowSerializer.<LlmUsage>allFields()))
                .uid("ch-llm-usage-hourly").name("ClickHouse llm_usage_hourly");
        out.usage().sinkTo(io.usageKafka()).uid("kafka-llm-usage").name("Kafka llm.usage");
        Sink<PrometheusTimeSeries> prometheus = io.prometheus();
        if (prometheus != null) {
            // forward from the series stage, which is keyed by series: each series is written by one subtask, in
            // time order, as remote write requires
            out.prometheus().sinkTo(prometheus).uid("prometheus-remote-write").name("Prometheus remote write");
        }

        DataStream<DeadLetter> deadLetters = raw.deadLetters().union(exchanges.getSideOutput(DeadLetters.OUTPUT_TAG));
        deadLetters.sinkTo(io.deadLetterKafka()).uid("kafka-dead-letters").name("Kafka dead-letters");
        deadLetters.sinkTo(io.clickHouse("dead_letters", AvroRowSerializer.<DeadLetter>allFields()))
                .uid("ch-dead-letters").name("ClickHouse dead_letters");
    }

    /** The production inputs and outputs: the raw topics, the output topics, ClickHouse and Prometheus. */
    public static final class KafkaClickHouseIo extends KafkaRawEventIo implements Io {
        private final String prometheusUrl;

        public KafkaClickHouseIo(LlmMetricsOptions options) {
            this(options, false);
        }

        /** With {@code boundedInput}: the raw topics up to their end at start, then the job finishes. */
        public KafkaClickHouseIo(LlmMetricsOptions options, boolean boundedInput) {
            super(options.pipeline(), boundedInput);
            this.prometheusUrl = options.prometheusUrl();
        }

        @Override
        public Sink<LlmRequest> requestKafka() {
            return pipeline.kafkaSink(Topic.LLM_REQUESTS, LlmRequest::getRequestId, "llm-requests");
        }

        @Override
        public Sink<LlmUsage> usageKafka() {
            return pipeline.kafkaSink(Topic.LLM_USAGE, LlmUsage::getUsageId, "llm-usage");
        }

        @Override
        public Sink<PrometheusTimeSeries> prometheus() {
            return prometheusUrl.isEmpty() ? null : PrometheusRemoteWriteSink.builder().setUrl(prometheusUrl).build();
        }
    }
}
