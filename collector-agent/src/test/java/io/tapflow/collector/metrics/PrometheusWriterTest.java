package io.tapflow.collector.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PrometheusWriterTest {

    @Test
    void writesTheTextFormat() {
        PrometheusWriter writer = new PrometheusWriter();
        writer.family("x_total", PrometheusWriter.Type.COUNTER, "Things.\nMore")
                .sample("reason", "queue_full", 3)
                .sample(List.of("a", "q\"uo\\te", "b", "line\nbreak"), 1.5);
        writer.family("y", PrometheusWriter.Type.GAUGE, "A gauge.").sample(Double.NaN);
        assertThat(writer.text()).isEqualTo("""
                # HELP x_total Things.\\nMore
                # TYPE x_total counter
                x_total{reason="queue_full"} 3
                x_total{a="q\\"uo\\\\te",b="line\\nbreak"} 1.5
                # HELP y A gauge.
                # TYPE y gauge
                y NaN
                """);
    }

    @Test
    void aFamilyIsWrittenOnce() {
        PrometheusWriter writer = new PrometheusWriter();
        writer.family("x", PrometheusWriter.Type.GAUGE, "x").sample(1);
        assertThatThrownBy(() -> writer.family("x", PrometheusWriter.Type.GAUGE, "x"))
                .isInstanceOf(IllegalStateException.class);
    }
}
