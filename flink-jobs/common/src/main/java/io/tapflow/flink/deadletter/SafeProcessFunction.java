package io.tapflow.flink.deadletter;

import io.tapflow.schema.DeadLetterReason;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * A {@link ProcessFunction} that never fails the job on data: an exception thrown by {@link #processSafely} for
 * one input becomes a dead letter on {@link DeadLetters#OUTPUT_TAG} and increments the {@value #COUNTER} counter
 * in the metric group {@code reason=<REASON>}.
 *
 * <p>Subclasses say how an input is identified ({@link #describeInput}): Kafka coordinates or a key, and its bytes.
 * Outputs emitted before the exception are not taken back, so stages should compute first and emit last.
 * {@link DeadLetterException} picks the reason; any other exception is {@link DeadLetterReason#PROCESSING_ERROR}.
 * Errors (OutOfMemoryError, …) are not caught: they are not about the input.
 */
public abstract class SafeProcessFunction<IN, OUT> extends ProcessFunction<IN, OUT> {

    private static final long serialVersionUID = 1L;

    /** Name of the dead-letter counter. */
    public static final String COUNTER = "deadLetters";
    /** Key of the metric group that carries the reason, a label once exported. */
    public static final String REASON_GROUP = "reason";

    private final String job;
    private final String stage;
    private final int maxOriginalBytes;

    // registered on first use so a healthy stage exports no all-zero series per reason
    private transient Map<DeadLetterReason, Counter> counters;

    protected SafeProcessFunction(String job, String stage) {
        this(job, stage, DeadLetters.DEFAULT_MAX_ORIGINAL_BYTES);
    }

    protected SafeProcessFunction(String job, String stage, int maxOriginalBytes) {
        this.job = Objects.requireNonNull(job, "job");
        this.stage = Objects.requireNonNull(stage, "stage");
        this.maxOriginalBytes = maxOriginalBytes;
    }

    /** The stage's logic for one input; may throw to reject it. */
    protected abstract void processSafely(IN value, Context ctx, Collector<OUT> out) throws Exception;

    /**
     * Fills the rejected input's identity into {@code letter}: {@code kafkaRecord(...)} or {@code inputKey(...)},
     * and {@code originalBytes(...)} when it has a byte form. Must not throw.
     */
    protected abstract void describeInput(IN value, Context ctx, DeadLetters.Builder letter);

    @Override
    public final void processElement(IN value, Context ctx, Collector<OUT> out) throws Exception {
        try {
            processSafely(value, ctx, out);
        } catch (Exception e) {
            DeadLetterReason reason = e instanceof DeadLetterException d ? d.reason()
                    : DeadLetterReason.PROCESSING_ERROR;
            DeadLetters.Builder letter = DeadLetters.builder(job, stage)
                    .reason(reason)
                    .error(e)
                    .maxOriginalBytes(maxOriginalBytes);
            describeInput(value, ctx, letter);
            ctx.output(DeadLetters.OUTPUT_TAG, letter.build());
            counter(reason).inc();
        }
    }

    private Counter counter(DeadLetterReason reason) {
        if (counters == null) {
            counters = new EnumMap<>(DeadLetterReason.class);
        }
        return counters.computeIfAbsent(reason, r ->
                getRuntimeContext().getMetricGroup().addGroup(REASON_GROUP, r.name()).counter(COUNTER));
    }
}
