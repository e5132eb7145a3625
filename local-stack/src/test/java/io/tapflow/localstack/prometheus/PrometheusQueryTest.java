package io.tapflow.localstack.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PrometheusQueryTest {

    private static double[] at(double seconds, double value) {
        return new double[] {seconds, value};
    }

    @Test
    void increaseCountsFromTheLastSampleBeforeTheStart() {
        List<double[]> samples = List.of(at(10, 5), at(20, 7), at(30, 12), at(40, 20));
        assertThat(PrometheusQuery.increaseSince(samples, 25)).isEqualTo(13);
        assertThat(PrometheusQuery.increaseSince(samples, 20)).isEqualTo(13);
        assertThat(PrometheusQuery.increaseSince(samples, 40)).isZero();
    }

    @Test
    void withoutASampleBeforeTheStartTheCounterStartsAtZero() {
        assertThat(PrometheusQuery.increaseSince(List.of(at(30, 4), at(40, 9)), 25)).isEqualTo(9);
        assertThat(PrometheusQuery.increaseSince(List.of(), 25)).isZero();
    }

    @Test
    void aDropIsAResetAfterWhichTheCounterCountsFromZero() {
        // 12 → 20 (+8), reset to 3 (+3), 3 → 6 (+3)
        List<double[]> samples = List.of(at(10, 12), at(30, 20), at(40, 3), at(50, 6));
        assertThat(PrometheusQuery.increaseSince(samples, 15)).isEqualTo(14);
    }
}
