package io.tapflow.flowagg.metrics;

import io.tapflow.flink.serde.AvroSpecificTypeInfo;
import io.tapflow.schema.FlowLog;
import io.tapflow.schema.NetMetric;
import io.tapflow.schema.RedMetric;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.ServiceMapEdge;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;

/**
 * Wiring of the metric stages of flow-aggregation: request logs to RED metrics and service-map edges, flow logs to
 * TCP metrics, in tumbling event-time windows.
 *
 * <p>The inputs must carry watermarks (the job assigns them upstream with its allowed out-of-orderness); the stream
 * timestamps are not used to pick windows, the records' own times are ({@code start_time_us} for request logs, see
 * {@link FlowDeltaFunction} for flow logs). Every stage has a stable uid naming its window size, so several sizes
 * of one metric can run side by side and restore from savepoints. Each stage's late inputs are a separate stream:
 * a request log late for both the 1 s and the 1 min RED windows appears on both.
 */
public final class FlowMetrics {

    /** Idle timeout of {@link #net(DataStream, Duration)}: well above the flow-log emission interval. */
    public static final Duration DEFAULT_FLOW_IDLE_TIMEOUT = Duration.ofMinutes(10);

    static final OutputTag<RequestSample> LATE_REQUEST_LOGS =
            new OutputTag<>("late-request-logs", RequestSampleSerializer.TYPE_INFO);
    static final OutputTag<FlowLog> LATE_FLOW_LOGS =
            new OutputTag<>("late-flow-logs", AvroSpecificTypeInfo.forRecord(FlowLog.class));
    /** Cannot fill (see {@link FlowDeltaFunction}); its counter would show a broken assumption. */
    static final OutputTag<NetContribution> LATE_NET_CONTRIBUTIONS =
            new OutputTag<>("late-net-contributions", TypeInformation.of(NetContribution.class));

    private FlowMetrics() {
    }

    /**
     * What the request-log metrics read of each log ({@link RequestSample}), taken where the logs are made (the
     * projection chains to the operator that emits them) so only the few fields cross each metric stage's shuffle.
     */
    public static DataStream<RequestSample> samples(DataStream<RequestLog> requestLogs) {
        // the input's parallelism: the projection chains to it and keeps each channel's order against watermarks
        return requestLogs.map(RequestSample::of, RequestSampleSerializer.TYPE_INFO)
                .setParallelism(requestLogs.getParallelism())
                .name("request-samples").uid("request-samples");
    }

    /** {@code RedMetric} rows per (service, endpoint, l7_protocol, observation_point) and window. */
    public static MetricStage<RedMetric, RequestSample> red(DataStream<RequestSample> samples, Duration window) {
        long sizeMs = windowMillis(window);
        SingleOutputStreamOperator<RedMetric> metrics = samples
                .keyBy(RedKey::of, TypeInformation.of(RedKey.class))
                .process(new TumblingWindowAggregator<>(new RedAggregation(), RequestStatsTypeInfo.INSTANCE, sizeMs,
                        LATE_REQUEST_LOGS), AvroSpecificTypeInfo.forRecord(RedMetric.class))
                .name("red-metrics-" + label(window))
                .uid("red-metrics-" + label(window));
        return new MetricStage<>(metrics, metrics.getSideOutput(LATE_REQUEST_LOGS));
    }

    /** {@code ServiceMapEdge} rows per (client_service, server_service, l7_protocol, observation_point) and window. */
    public static MetricStage<ServiceMapEdge, RequestSample> serviceMap(DataStream<RequestSample> samples,
            Duration window) {
        long sizeMs = windowMillis(window);
        SingleOutputStreamOperator<ServiceMapEdge> metrics = samples
                .keyBy(EdgeKey::of, TypeInformation.of(EdgeKey.class))
                .process(new TumblingWindowAggregator<>(new ServiceMapAggregation(), RequestStatsTypeInfo.INSTANCE,
                        sizeMs, LATE_REQUEST_LOGS), AvroSpecificTypeInfo.forRecord(ServiceMapEdge.class))
                .name("service-map-" + label(window))
                .uid("service-map-" + label(window));
        return new MetricStage<>(metrics, metrics.getSideOutput(LATE_REQUEST_LOGS));
    }

    /** {@code NetMetric} rows with the {@link #DEFAULT_FLOW_IDLE_TIMEOUT}. */
    public static MetricStage<NetMetric, FlowLog> net(DataStream<FlowLog> flowLogs, Duration window) {
        return net(flowLogs, window, DEFAULT_FLOW_IDLE_TIMEOUT);
    }

    /**
     * {@code NetMetric} rows per (client_service, server_service, server_port, l4_protocol, observation_point) and
     * window: flow logs keyed by flow_id become per-window deltas ({@link FlowDeltaFunction}), summed per edge.
     *
     * @param flowIdleTimeout event time after a flow's last emission at which its delta state is dropped
     */
    public static MetricStage<NetMetric, FlowLog> net(DataStream<FlowLog> flowLogs, Duration window,
            Duration flowIdleTimeout) {
        long sizeMs = windowMillis(window);
        long idleMs = Objects.requireNonNull(flowIdleTimeout, "flowIdleTimeout").toMillis();
        SingleOutputStreamOperator<NetContribution> deltas = flowLogs
                .keyBy(FlowLog::getFlowId, TypeInformation.of(String.class))
                .process(new FlowDeltaFunction(sizeMs, idleMs, LATE_FLOW_LOGS),
                        TypeInformation.of(NetContribution.class))
                .name("flow-deltas-" + label(window))
                .uid("flow-deltas-" + label(window));
        SingleOutputStreamOperator<NetMetric> metrics = deltas
                .keyBy(contribution -> contribution.key, TypeInformation.of(NetKey.class))
                .process(new TumblingWindowAggregator<>(new NetAggregation(), TypeInformation.of(NetStats.class),
                        sizeMs, LATE_NET_CONTRIBUTIONS), AvroSpecificTypeInfo.forRecord(NetMetric.class))
                .name("net-metrics-" + label(window))
                .uid("net-metrics-" + label(window));
        return new MetricStage<>(metrics, deltas.getSideOutput(LATE_FLOW_LOGS));
    }

    private static long windowMillis(Duration window) {
        Objects.requireNonNull(window, "window");
        if (window.isNegative() || window.isZero() || window.toNanos() % 1_000_000L != 0) {
            throw new IllegalArgumentException("window must be a positive whole number of milliseconds: " + window);
        }
        return window.toMillis();
    }

    /** "1s", "1m", "250ms": part of operator uids, so it must stay stable for a given size. */
    static String label(Duration window) {
        long ms = window.toMillis();
        if (ms % 60_000L == 0) {
            return ms / 60_000L + "m";
        }
        if (ms % 1_000L == 0) {
            return ms / 1_000L + "s";
        }
        return ms + "ms";
    }
}
