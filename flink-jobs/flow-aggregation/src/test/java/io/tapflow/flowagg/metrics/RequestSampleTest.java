package io.tapflow.flowagg.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.ResponseStatus;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class RequestSampleTest extends MetricsTestBase {

    @Test
    void aSampleCarriesTheServicesTheMetricKeysUse() {
        RequestLog log = request(1_000, "/cart/{id}", ResponseStatus.SERVER_ERROR, 3_000L);
        RequestSample sample = RequestSample.of(log);

        assertThat(RedKey.of(sample)).isEqualTo(new RedKey(ServiceNames.measuredService(log), "/cart/{id}",
                log.getL7Protocol().name(), ObservationPoint.SERVER_PROCESS.name()));
        assertThat(EdgeKey.of(sample)).isEqualTo(new EdgeKey(ServiceNames.clientService(log),
                ServiceNames.serverService(log), log.getL7Protocol().name(), ObservationPoint.SERVER_PROCESS.name()));
        assertThat(sample.startTimeUs()).isEqualTo(log.getStartTimeUs());
        assertThat(RequestSample.of(requestBuilder(0).setEndpoint(null).build()).endpoint()).isEmpty();
    }

    @Test
    void theSerializerRoundTripsEveryFieldIncludingNulls() throws IOException {
        RequestSample full = sample(1_000, "/cart/{id}", ResponseStatus.OK, 3_000L);
        RequestSample sparse = new RequestSample("svc", "", null, null, full.l7Protocol(),
                ObservationPoint.CLIENT_PROCESS, ResponseStatus.TIMEOUT, -5L, null);
        for (RequestSample s : new RequestSample[] {full, sparse}) {
            DataOutputSerializer out = new DataOutputSerializer(32);
            RequestSampleSerializer.INSTANCE.serialize(s, out);
            assertThat(RequestSampleSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer())))
                    .isEqualTo(s);
        }
    }
}
