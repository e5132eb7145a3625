package io.tapflow.llm;

import io.tapflow.flink.serde.AvroSpecificTypeInfo;
import io.tapflow.flink.serde.JavaSerializedTypeInfo;
import io.tapflow.flink.sink.prometheus.PrometheusTimeSeries;
import io.tapflow.llm.metrics.LlmWindow;
import io.tapflow.llm.recognition.LlmExchange;
import io.tapflow.schema.LlmMetric;
import io.tapflow.schema.LlmRequest;
import io.tapflow.schema.LlmUsage;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Type information of every stream of the job, so that none falls back to Kryo: contract records as Avro, our own
 * in-flight objects (exchanges with their decoded messages, windows, series) with Java serialization.
 */
public final class LlmTypes {

    public static final TypeInformation<LlmExchange> EXCHANGE = JavaSerializedTypeInfo.forClass(LlmExchange.class);
    public static final TypeInformation<LlmRequest> REQUEST = AvroSpecificTypeInfo.forRecord(LlmRequest.class);
    public static final TypeInformation<LlmMetric> METRIC = AvroSpecificTypeInfo.forRecord(LlmMetric.class);
    public static final TypeInformation<LlmUsage> USAGE = AvroSpecificTypeInfo.forRecord(LlmUsage.class);
    public static final TypeInformation<LlmWindow> WINDOW = JavaSerializedTypeInfo.forClass(LlmWindow.class);
    public static final TypeInformation<PrometheusTimeSeries> SERIES =
            JavaSerializedTypeInfo.forClass(PrometheusTimeSeries.class);

    private LlmTypes() {
    }
}
