package io.tapflow.flowagg.metrics;

import io.tapflow.flink.serde.SingleClassTypeInfo;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Type information of {@link RequestStats}, backed by {@link RequestStatsSerializer} (never Kryo). */
public final class RequestStatsTypeInfo extends SingleClassTypeInfo<RequestStats> {

    private static final long serialVersionUID = 1L;

    public static final RequestStatsTypeInfo INSTANCE = new RequestStatsTypeInfo();

    private RequestStatsTypeInfo() {
        super(RequestStats.class);
    }

    @Override
    public TypeSerializer<RequestStats> createSerializer(SerializerConfig config) {
        return RequestStatsSerializer.INSTANCE;
    }
}
