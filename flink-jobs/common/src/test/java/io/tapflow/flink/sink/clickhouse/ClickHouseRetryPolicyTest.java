package io.tapflow.flink.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.schema.retry.RetryPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The retry rule as the ClickHouse sink uses it (its builder's defaults and bounds). */
class ClickHouseRetryPolicyTest {

    @Test
    void backoffDoublesUpToTheMaximum() {
        RetryPolicy policy = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(1));

        assertThat(policy.backoffAfter(1).toMillis()).isEqualTo(100);
        assertThat(policy.backoffAfter(2).toMillis()).isEqualTo(200);
        assertThat(policy.backoffAfter(3).toMillis()).isEqualTo(400);
        assertThat(policy.backoffAfter(4).toMillis()).isEqualTo(800);
        assertThat(policy.backoffAfter(5).toMillis()).isEqualTo(1000);
        assertThat(policy.backoffAfter(63).toMillis()).isEqualTo(1000);
        assertThat(policy.backoffAfter(Integer.MAX_VALUE).toMillis()).isEqualTo(1000);
    }

    @Test
    void attemptsAreBoundedAndCountTheFirstSend() {
        RetryPolicy policy = new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(10));

        assertThat(policy.mayRetryAfter(1)).isTrue();
        assertThat(policy.mayRetryAfter(2)).isTrue();
        assertThat(policy.mayRetryAfter(3)).isFalse();
        assertThat(new RetryPolicy(1, Duration.ofMillis(10), Duration.ofMillis(10)).mayRetryAfter(1)).isFalse();
    }
}
