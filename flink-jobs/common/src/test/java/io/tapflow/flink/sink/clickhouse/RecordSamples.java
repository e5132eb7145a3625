package io.tapflow.flink.sink.clickhouse;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/** Contract records with every field set to a plausible non-default value, for round trips through tables. */
final class RecordSamples {

    private RecordSamples() {
    }

    static <T extends SpecificRecordBase> T filled(Class<T> type) {
        T record = type.cast(SpecificData.newInstance(type, SpecificData.get().getSchema(type)));
        for (Schema.Field field : record.getSchema().getFields()) {
            record.put(field.pos(), sample(field.name(), nonNull(field.schema())));
        }
        return record;
    }

    private static Object sample(String name, Schema type) {
        return switch (type.getType()) {
            case STRING -> name.endsWith("_id") ? "0123456789abcdef0123456789abcdef" : name + "-value";
            // the second symbol: the first is UNKNOWN, the reader default, which would prove nothing
            case ENUM -> SpecificData.get().createEnum(type.getEnumSymbols().get(1), type);
            case INT -> name.endsWith("port") ? 8443 : 4242;
            case LONG -> name.endsWith("size_ms") ? 60_000L
                    : name.endsWith("_us") ? 1_700_000_000_123_456L
                    : name.endsWith("_ms") ? 1_700_000_000_000L
                    : name.endsWith("_ns") ? 1_700_000_000_123_456_789L
                    : 3_000_000_123L;
            case DOUBLE -> 12.5d;
            case FLOAT -> 2.5f;
            case BOOLEAN -> true;
            case BYTES -> ByteBuffer.wrap(new byte[] {1, 2, (byte) 0xab, 0});
            case MAP -> Map.of("http.user_agent", "curl/7.88.1");
            case ARRAY -> List.of(sample(name, nonNull(type.getElementType())),
                    sample(name, nonNull(type.getElementType())));
            case RECORD -> {
                SpecificRecordBase nested = (SpecificRecordBase) SpecificData.get().newRecord(null, type);
                for (Schema.Field f : type.getFields()) {
                    nested.put(f.pos(), sample(f.name(), nonNull(f.schema())));
                }
                yield nested;
            }
            default -> throw new IllegalArgumentException("no sample for " + type);
        };
    }

    private static Schema nonNull(Schema schema) {
        if (schema.getType() != Schema.Type.UNION) {
            return schema;
        }
        return schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).findFirst().orElseThrow();
    }

    /** JSON written vs read back: ClickHouse quotes 64-bit integers and may print floats differently. */
    static boolean sameValue(JsonNode written, JsonNode read) {
        if (read == null) {
            return false;
        }
        if (written.isArray()) {
            if (!read.isArray() || read.size() != written.size()) {
                return false;
            }
            for (int i = 0; i < written.size(); i++) {
                if (!sameValue(written.get(i), read.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (written.isFloatingPointNumber()) {
            return Math.abs(written.asDouble() - Double.parseDouble(read.asText())) < 1e-9;
        }
        return written.asText().equals(read.asText());
    }
}
