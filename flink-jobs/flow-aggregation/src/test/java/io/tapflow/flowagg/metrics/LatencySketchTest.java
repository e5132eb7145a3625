package io.tapflow.flowagg.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.mapping.LogarithmicMapping;
import org.junit.jupiter.api.Test;

class LatencySketchTest {

    private static final double[] QUANTILES = {0.0, 0.25, 0.5, 0.9, 0.99, 1.0};

    @Test
    void serializedSketchReadsBackWithTheSameQuantilesAndBytes() {
        DDSketch sketch = LatencySketch.create();
        for (long us = 1; us <= 20_000; us += 7) {
            sketch.accept(us);
        }
        byte[] bytes = LatencySketch.toBytes(sketch);

        DDSketch read = LatencySketch.fromBytes(bytes);

        assertThat(read.getCount()).isEqualTo(sketch.getCount());
        assertThat(read.getValuesAtQuantiles(QUANTILES)).containsExactly(sketch.getValuesAtQuantiles(QUANTILES));
        assertThat(LatencySketch.toBytes(read)).isEqualTo(bytes);
    }

    @Test
    void zeroLatenciesAndSparseOutliersSurviveTheRoundTrip() {
        DDSketch sketch = LatencySketch.create();
        sketch.accept(0);
        sketch.accept(0);
        sketch.accept(3);
        sketch.accept(86_400_000_000.0); // a day in µs

        DDSketch read = LatencySketch.fromBytes(LatencySketch.toBytes(sketch));

        assertThat(read.getCount()).isEqualTo(4);
        assertThat(read.getValueAtQuantile(0.0)).isZero();
        assertThat(read.getValueAtQuantile(1.0)).isCloseTo(86_400_000_000.0, within(0.01 * 86_400_000_000.0));
        assertThat(read.getValuesAtQuantiles(QUANTILES)).containsExactly(sketch.getValuesAtQuantiles(QUANTILES));
    }

    @Test
    void bytesDependOnTheSamplesNotTheirOrder() {
        DDSketch ascending = LatencySketch.create();
        DDSketch descending = LatencySketch.create();
        for (int i = 1; i <= 5_000; i++) {
            ascending.accept(i * 13L);
            descending.accept((5_001 - i) * 13L);
        }
        assertThat(LatencySketch.toBytes(ascending)).isEqualTo(LatencySketch.toBytes(descending));
    }

    @Test
    void quantilesAreWithinTheContractsRelativeAccuracy() {
        DDSketch sketch = LatencySketch.create();
        for (int us = 1; us <= 1000; us++) {
            sketch.accept(us);
        }
        assertThat(sketch.getValueAtQuantile(0.5)).isCloseTo(500, within(500 * LatencySketch.RELATIVE_ACCURACY));
        assertThat(sketch.getValueAtQuantile(0.99)).isCloseTo(990, within(990 * LatencySketch.RELATIVE_ACCURACY));
        assertThat(sketch.getIndexMapping()).isEqualTo(new LogarithmicMapping(LatencySketch.RELATIVE_ACCURACY));
    }

    @Test
    void anEmptySketchRoundTripsEmpty() {
        DDSketch read = LatencySketch.fromBytes(LatencySketch.toBytes(LatencySketch.create()));
        assertThat(read.isEmpty()).isTrue();
    }

    @Test
    void bytesThatAreNoSketchAreRejected() {
        assertThatThrownBy(() -> LatencySketch.fromBytes(new byte[] {0x0a, 0x7f, 0x01}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LatencySketch.fromBytes(new byte[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index mapping");
    }
}
