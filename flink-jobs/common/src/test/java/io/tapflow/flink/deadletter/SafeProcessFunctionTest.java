package io.tapflow.flink.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.schema.DeadLetter;
import io.tapflow.schema.DeadLetterReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskMetricGroup;
import org.apache.flink.runtime.metrics.util.TestingMetricRegistry;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

class SafeProcessFunctionTest {

    private static final String JOB = "flow-aggregation";
    private static final String STAGE = "parse-number";

    /** Counters by reason label, as a metrics reporter would see them. */
    private final Map<String, Counter> countersByReason = new HashMap<>();

    @Test
    void goodInputFlowsThroughAndBadInputBecomesADeadLetter() throws Exception {
        try (OneInputStreamOperatorTestHarness<String, Integer> harness = harnessWithMetrics(new ParseNumber())) {
            harness.open();
            harness.processElement("12", 1_000L);
            harness.processElement("garbage", 2_000L);
            harness.processElement("-1", 3_000L);
            harness.processElement("7", 4_000L);

            assertThat(harness.extractOutputValues()).containsExactly(12, 7);

            List<DeadLetter> letters = harness.getSideOutput(DeadLetters.OUTPUT_TAG).stream()
                    .map(StreamRecord::getValue).toList();
            assertThat(letters).hasSize(2);
            DeadLetter parse = letters.get(0);
            assertThat(parse.getReason()).isEqualTo(DeadLetterReason.PROCESSING_ERROR);
            assertThat(parse.getErrorMessage())
                    .isEqualTo("java.lang.NumberFormatException: For input string: \"garbage\"");
            assertThat(parse.getJob()).isEqualTo(JOB);
            assertThat(parse.getStage()).isEqualTo(STAGE);
            assertThat(parse.getTimestampMs()).isEqualTo(2_000L);
            assertThat(parse.getOriginalBytes()).isEqualTo(ByteBuffer.wrap("garbage".getBytes(StandardCharsets.UTF_8)));
            assertThat(parse.getOriginalSize()).isEqualTo(7);
            assertThat(parse.getDeadLetterId()).isEqualTo(DeadLetters.builder(JOB, STAGE)
                    .reason(DeadLetterReason.UNKNOWN).message("any").inputKey("garbage", 2_000L).build()
                    .getDeadLetterId());
            DeadLetter invalid = letters.get(1);
            assertThat(invalid.getReason()).isEqualTo(DeadLetterReason.INVALID_EVENT);
            assertThat(invalid.getErrorMessage()).endsWith("DeadLetterException: negative: -1");

            assertThat(countersByReason).containsOnlyKeys("PROCESSING_ERROR", "INVALID_EVENT");
            assertThat(countersByReason.get("PROCESSING_ERROR").getCount()).isEqualTo(1);
            assertThat(countersByReason.get("INVALID_EVENT").getCount()).isEqualTo(1);

            harness.processElement("also bad", 5_000L);
            assertThat(countersByReason.get("PROCESSING_ERROR").getCount()).isEqualTo(2);
        }
    }

    @Test
    void noDeadLettersWhenAllInputIsGood() throws Exception {
        try (OneInputStreamOperatorTestHarness<String, Integer> harness =
                ProcessFunctionTestHarnesses.forProcessFunction(new ParseNumber())) {
            harness.processElement("1", 1L);
            harness.processElement("2", 2L);
            assertThat(harness.extractOutputValues()).containsExactly(1, 2);
            assertThat(harness.getSideOutput(DeadLetters.OUTPUT_TAG)).isNull();
        }
    }

    private OneInputStreamOperatorTestHarness<String, Integer> harnessWithMetrics(ParseNumber fn) throws Exception {
        TestingMetricRegistry registry = TestingMetricRegistry.builder()
                .setRegisterConsumer((metric, name, group) -> {
                    if (name.equals(SafeProcessFunction.COUNTER)) {
                        countersByReason.put(group.getAllVariables().get("<" + SafeProcessFunction.REASON_GROUP + ">"),
                                (Counter) metric);
                    }
                })
                .build();
        TaskMetricGroup taskGroup = TaskManagerMetricGroup
                .createTaskManagerMetricGroup(registry, "localhost", ResourceID.generate())
                .addJob(new JobID(), JOB)
                .addTask(ExecutionAttemptID.randomId(), STAGE);
        MockEnvironment env = new MockEnvironmentBuilder().setMetricGroup(taskGroup).build();
        return new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(fn), env);
    }

    /** Parses decimal numbers; negative numbers are invalid events. */
    private static final class ParseNumber extends SafeProcessFunction<String, Integer> {

        ParseNumber() {
            super(JOB, STAGE);
        }

        @Override
        protected void processSafely(String value, Context ctx, Collector<Integer> out) {
            int n = Integer.parseInt(value);
            if (n < 0) {
                throw new DeadLetterException(DeadLetterReason.INVALID_EVENT, "negative: " + n);
            }
            out.collect(n);
        }

        @Override
        protected void describeInput(String value, Context ctx, DeadLetters.Builder letter) {
            letter.inputKey(value, ctx.timestamp()).originalBytes(value.getBytes(StandardCharsets.UTF_8));
        }
    }
}
