package io.tapflow.flink.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    @Test
    void backoffDoublesUpToTheMaximum() {
        RetryPolicy policy = new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(1), 10);

        assertThat(policy.backoffMsAfter(1)).isEqualTo(100);
        assertThat(policy.backoffMsAfter(2)).isEqualTo(200);
        assertThat(policy.backoffMsAfter(3)).isEqualTo(400);
        assertThat(policy.backoffMsAfter(4)).isEqualTo(800);
        assertThat(policy.backoffMsAfter(5)).isEqualTo(1000);
        assertThat(policy.backoffMsAfter(63)).isEqualTo(1000);
        assertThat(policy.backoffMsAfter(Integer.MAX_VALUE)).isEqualTo(1000);
    }

    @Test
    void attemptsAreBoundedAndCountTheFirstSend() {
        RetryPolicy policy = new RetryPolicy(Duration.ofMillis(10), Duration.ofMillis(10), 3);

        assertThat(policy.mayRetryAfter(1)).isTrue();
        assertThat(policy.mayRetryAfter(2)).isTrue();
        assertThat(policy.mayRetryAfter(3)).isFalse();
        assertThat(new RetryPolicy(Duration.ofMillis(10), Duration.ofMillis(10), 1).mayRetryAfter(1)).isFalse();
    }
}
