package io.tapflow.flowagg.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.schema.ResponseStatus;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class RequestStatsTest extends MetricsTestBase {

    @Test
    void countsRequestsErrorsAndTimeoutsByResponseStatus() {
        RequestStats stats = new RequestStats();
        stats.add(sample(0, "/a", ResponseStatus.OK, 100L));
        stats.add(sample(1, "/a", ResponseStatus.CLIENT_ERROR, 200L));
        stats.add(sample(2, "/a", ResponseStatus.CLIENT_ERROR, 300L));
        stats.add(sample(3, "/a", ResponseStatus.SERVER_ERROR, 400L));
        stats.add(sample(4, "/a", ResponseStatus.TIMEOUT, null));
        stats.add(sample(5, "/a", ResponseStatus.UNKNOWN, null));

        assertThat(stats.requests()).isEqualTo(6);
        assertThat(stats.clientErrors()).isEqualTo(2);
        assertThat(stats.serverErrors()).isEqualTo(1);
        assertThat(stats.timeouts()).isEqualTo(1);
        assertThat(stats.latencyCount()).isEqualTo(4);
        assertThat(stats.latencySumUs()).isEqualTo(1_000);
        assertThat(stats.latencyMaxUs()).isEqualTo(400);
    }

    @Test
    void aTimeoutIsNeverALatencySampleEvenWithADuration() {
        RequestStats stats = new RequestStats();
        stats.add(sample(0, "/a", ResponseStatus.TIMEOUT, 30_000_000L));
        stats.add(sample(1, "/a", ResponseStatus.OK, 250L));

        assertThat(stats.timeouts()).isEqualTo(1);
        assertThat(stats.latencyCount()).isEqualTo(1);
        assertThat(stats.latencyMaxUs()).isEqualTo(250);
        assertThat(stats.latencyAtQuantile(0.99)).isCloseTo(250, org.assertj.core.api.Assertions.within(2.5));
    }

    @Test
    void noSamplesMeansNullPercentilesAndAnEmptySketch() {
        RequestStats stats = new RequestStats();
        stats.add(sample(0, "/a", ResponseStatus.TIMEOUT, null));

        assertThat(stats.requests()).isEqualTo(1);
        assertThat(stats.latencyCount()).isZero();
        assertThat(stats.latencyMaxUs()).isZero();
        assertThat(stats.latencyAtQuantile(0.5)).isNull();
        assertThat(stats.sketchBytes().remaining()).isZero();
    }

    @Test
    void aNegativeDurationIsSampledAsZero() {
        RequestStats stats = new RequestStats();
        stats.add(sample(0, "/a", ResponseStatus.OK, -5L));
        assertThat(stats.latencyCount()).isEqualTo(1);
        assertThat(stats.latencySumUs()).isZero();
        assertThat(stats.latencyAtQuantile(0.5)).isZero();
    }

    @Test
    void serializerRoundTripKeepsCountsAndSketch() throws Exception {
        RequestStats stats = new RequestStats();
        for (int i = 0; i < 500; i++) {
            stats.add(sample(i, "/a", i % 10 == 0 ? ResponseStatus.SERVER_ERROR : ResponseStatus.OK, 100L + i * 3));
        }
        DataOutputSerializer out = new DataOutputSerializer(64);
        RequestStatsSerializer.INSTANCE.serialize(stats, out);
        RequestStats read = RequestStatsSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

        assertThat(read).usingRecursiveComparison().ignoringFields("sketch").isEqualTo(stats);
        assertThat(read.sketchBytes()).isEqualTo(stats.sketchBytes());
        assertThat(read.latencyAtQuantile(0.9)).isEqualTo(stats.latencyAtQuantile(0.9));

        // the byte-level copy a backend uses when rescaling must produce the same bytes
        DataOutputSerializer copied = new DataOutputSerializer(64);
        RequestStatsSerializer.INSTANCE.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
    }

    @Test
    void serializerHandlesStatsWithoutSketch() throws Exception {
        RequestStats stats = new RequestStats();
        stats.add(sample(0, "/a", ResponseStatus.TIMEOUT, null));
        DataOutputSerializer out = new DataOutputSerializer(64);
        RequestStatsSerializer.INSTANCE.serialize(stats, out);
        RequestStats read = RequestStatsSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(read.timeouts()).isEqualTo(1);
        assertThat(read.latencyAtQuantile(0.5)).isNull();
    }

    @Test
    void aCopyDoesNotShareTheSketch() {
        RequestStats stats = new RequestStats();
        stats.add(sample(0, "/a", ResponseStatus.OK, 100L));
        RequestStats copy = RequestStatsSerializer.INSTANCE.copy(stats);
        copy.add(sample(1, "/a", ResponseStatus.OK, 9_000L));

        assertThat(stats.latencyCount()).isEqualTo(1);
        assertThat(stats.latencyAtQuantile(1.0)).isCloseTo(100, org.assertj.core.api.Assertions.within(1.0));
        assertThat(copy.latencyAtQuantile(1.0)).isCloseTo(9_000, org.assertj.core.api.Assertions.within(90.0));
    }
}
