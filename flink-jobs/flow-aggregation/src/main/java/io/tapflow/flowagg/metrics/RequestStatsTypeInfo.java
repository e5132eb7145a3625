package io.tapflow.flowagg.metrics;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Type information of {@link RequestStats}, backed by {@link RequestStatsSerializer} (never Kryo). */
public final class RequestStatsTypeInfo extends TypeInformation<RequestStats> {

    private static final long serialVersionUID = 1L;

    public static final RequestStatsTypeInfo INSTANCE = new RequestStatsTypeInfo();

    private RequestStatsTypeInfo() {
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<RequestStats> getTypeClass() {
        return RequestStats.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<RequestStats> createSerializer(SerializerConfig config) {
        return RequestStatsSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "RequestStatsTypeInfo";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof RequestStatsTypeInfo;
    }

    @Override
    public int hashCode() {
        return RequestStatsTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof RequestStatsTypeInfo;
    }
}
