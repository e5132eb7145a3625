package io.tapflow.flowagg.metrics;

import java.util.Objects;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The outputs of one metric stage built by {@link FlowMetrics}: the metric rows, and the inputs that arrived after
 * their window had fired (each also counted by the stage's late-records counter), which the job sends to its
 * dead-letter topic.
 *
 * @param metrics the rows, one per key and window, emitted once when the watermark passes the window's end
 * @param lateInputs the late inputs, unchanged
 */
public record MetricStage<M, L>(SingleOutputStreamOperator<M> metrics, DataStream<L> lateInputs) {

    public MetricStage {
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(lateInputs, "lateInputs");
    }
}
