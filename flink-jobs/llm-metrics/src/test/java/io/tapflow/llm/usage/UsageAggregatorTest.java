package io.tapflow.llm.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.flink.serde.AvroSpecificTypeInfo;
import io.tapflow.llm.LlmTestBase;
import io.tapflow.schema.LlmRequest;
import io.tapflow.schema.LlmUsage;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Hourly usage with a 1-minute hold before the first emission and 1 hour of retention for late requests. */
class UsageAggregatorTest extends LlmTestBase {

    private static final long HOUR = 3_600_000;
    private static final long HOLD = 60_000;
    private static final long RETENTION = HOUR;
    private static final long FIRST_EMISSION = T0_MS + HOUR - 1 + HOLD;

    private static KeyedOneInputStreamOperatorTestHarness<String, LlmRequest, LlmUsage> harness() throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new UsageAggregator(HOLD, RETENTION)), UsageAggregator.key(), Types.STRING);
        h.setup(AvroSpecificTypeInfo.forRecord(LlmUsage.class).createSerializer(
                h.getExecutionConfig().getSerializerConfig()));
        return h;
    }

    private static void process(KeyedOneInputStreamOperatorTestHarness<String, LlmRequest, LlmUsage> h,
            LlmRequest r) throws Exception {
        h.processElement(new StreamRecord<>(r, (r.getStartTimeUs() + r.getE2eUs()) / 1000));
    }

    private static List<LlmUsage> sorted(List<LlmUsage> out) {
        return out.stream().sorted(Comparator.comparing(LlmUsage::getTenant)
                .thenComparing(LlmUsage::getVersion)).toList();
    }

    @Test
    void emitsFullTotalsPerTenantModelAndHourAfterTheHold() throws Exception {
        try (var h = harness()) {
            h.open();
            process(h, builder(1_000_000, 1_000).setInputTokens(5).setOutputTokens(7).build());
            process(h, builder(HOUR * 1000 - 1, 2_000_000).setInputTokens(3).setOutputTokens(4)
                    .setTokensEstimated(true).build()); // last µs of the hour, ends in the next: counted at start
            process(h, builder(2_000_000, 1_000).setTenant(TENANT_B).setOutputTokens(1).build());
            process(h, builder(HOUR * 1000, 1_000).build()); // the next hour
            h.processWatermark(FIRST_EMISSION - 1);
            assertThat(h.extractOutputValues()).isEmpty();

            h.processWatermark(FIRST_EMISSION);
            List<LlmUsage> out = sorted(h.extractOutputValues());
            assertThat(out).hasSize(2);
            LlmUsage a = out.get(0);
            assertThat(a.getTenant()).isEqualTo(TENANT_A);
            assertThat(a.getModel()).isEqualTo(MODEL);
            assertThat(a.getHourStartMs()).isEqualTo(T0_MS);
            assertThat(a.getRequests()).isEqualTo(2);
            assertThat(a.getInputTokens()).isEqualTo(8);
            assertThat(a.getOutputTokens()).isEqualTo(11);
            assertThat(a.getEstimatedRequests()).isEqualTo(1);
            assertThat(a.getVersion()).isEqualTo(2);
            assertThat(a.getUsageId()).matches("[0-9a-f]{32}")
                    .isEqualTo(UsageAggregator.usageId(TENANT_A, MODEL, T0_MS))
                    .isNotEqualTo(out.get(1).getUsageId());
            assertThat(out.get(1).getTenant()).isEqualTo(TENANT_B);
            assertThat(out.get(1).getOutputTokens()).isEqualTo(1);
        }
    }

    @Test
    void lateRequestsReEmitTheFullTotalsWithAHigherVersion() throws Exception {
        try (var h = harness()) {
            h.open();
            process(h, builder(1_000_000, 1_000).setInputTokens(5).setOutputTokens(7).build());
            h.processWatermark(FIRST_EMISSION);
            process(h, builder(3_000_000, 1_000).setInputTokens(1).setOutputTokens(2).build());
            process(h, builder(4_000_000, 1_000).setInputTokens(1).setOutputTokens(2).build());
            List<LlmUsage> out = h.extractOutputValues();
            assertThat(out).extracting(LlmUsage::getVersion).containsExactly(1L, 2L, 3L);
            assertThat(out).extracting(LlmUsage::getOutputTokens).containsExactly(7L, 9L, 11L);
            assertThat(out.get(2).getRequests()).isEqualTo(3);
            assertThat(out).extracting(LlmUsage::getUsageId).containsOnly(out.get(0).getUsageId());
        }
    }

    @Test
    void stateAndTimersAreGoneAfterRetentionAndLaterRequestsAreCounted() throws Exception {
        try (var h = harness()) {
            h.open();
            process(h, request(1_000_000, 1_000));
            process(h, builder(1_000_000, 1_000).setModel("other").build());
            assertThat(h.numKeyedStateEntries()).isEqualTo(2);
            assertThat(h.numEventTimeTimers()).isEqualTo(4);
            h.processWatermark(FIRST_EMISSION + RETENTION);
            assertThat(h.extractOutputValues()).hasSize(2);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            process(h, request(2_000_000, 1_000)); // beyond retention: not billed here, no new state
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.extractOutputValues()).hasSize(2);
        }
    }

    @Test
    void restoreContinuesTheTotalsAndAReplayEndsAtTheSameHighestVersion() throws Exception {
        OperatorSubtaskState snapshot;
        List<LlmUsage> beforeFailure;
        try (var h = harness()) {
            h.open();
            process(h, builder(1_000_000, 1_000).setOutputTokens(7).build());
            snapshot = h.snapshot(1, T0_MS + 10_000);
            // after the checkpoint: the hour closes early for this run, then more requests come in late
            h.processWatermark(FIRST_EMISSION);
            process(h, builder(2_000_000, 1_000).setOutputTokens(3).build());
            process(h, builder(3_000_000, 1_000).setOutputTokens(1).build());
            beforeFailure = h.extractOutputValues();
        }
        try (var replay = harness()) {
            replay.initializeState(snapshot);
            replay.open();
            // the replay sees the same input but its watermark advances later: one emission instead of three
            process(replay, builder(2_000_000, 1_000).setOutputTokens(3).build());
            process(replay, builder(3_000_000, 1_000).setOutputTokens(1).build());
            replay.processWatermark(FIRST_EMISSION);
            List<LlmUsage> afterRestore = replay.extractOutputValues();
            LlmUsage highestBefore = beforeFailure.stream().max(Comparator.comparing(LlmUsage::getVersion)).get();
            LlmUsage highestAfter = afterRestore.stream().max(Comparator.comparing(LlmUsage::getVersion)).get();
            assertThat(highestAfter).isEqualTo(highestBefore);
            assertThat(highestAfter.getOutputTokens()).isEqualTo(11);
            assertThat(highestAfter.getVersion()).isEqualTo(3);
        }
    }
}
