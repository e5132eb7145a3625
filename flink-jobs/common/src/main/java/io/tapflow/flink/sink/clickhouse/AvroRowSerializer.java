package io.tapflow.flink.sink.clickhouse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * The JSONEachRow row of a contract record, by the mapping every table in {@code schemas/clickhouse} documents
 * under "Differences from the Avro record": column = field name; enums as their symbol names; booleans as 0/1
 * (UInt8); {@code bytes} field {@code x} as column {@code x_hex} (upper-case hex, ClickHouse 18.16 has no base64);
 * a string map field {@code attributes} as the parallel arrays {@code attribute_names} / {@code attribute_values};
 * nulls as null. Fields a table leaves out (e.g. the spans array of a trace) are named in {@link #excluding}.
 * MATERIALIZED columns have no Avro field, so they are never written.
 */
public final class AvroRowSerializer<T extends SpecificRecordBase> implements ClickHouseRowSerializer<T> {

    private static final long serialVersionUID = 1L;
    private static final JsonFactory JSON = new JsonFactory();
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final Set<String> excluded;

    private AvroRowSerializer(Set<String> excluded) {
        this.excluded = Set.copyOf(excluded);
    }

    /** Writes every field of the record. */
    public static <T extends SpecificRecordBase> AvroRowSerializer<T> allFields() {
        return new AvroRowSerializer<>(Set.of());
    }

    /** Writes every field but {@code fields} (fields the table has no column for). */
    public static <T extends SpecificRecordBase> AvroRowSerializer<T> excluding(String... fields) {
        return new AvroRowSerializer<>(Set.of(fields));
    }

    @Override
    public byte[] serialize(T record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            for (Schema.Field field : record.getSchema().getFields()) {
                if (!excluded.contains(field.name())) {
                    writeField(json, field.name(), field.schema(), record.get(field.pos()));
                }
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing a " + record.getSchema().getName() + " row", e);
        }
        return out.toByteArray();
    }

    private static void writeField(JsonGenerator json, String name, Schema schema, Object value) throws IOException {
        Schema type = nonNull(schema);
        switch (type.getType()) {
            case BYTES -> {
                json.writeFieldName(name + "_hex");
                if (value == null) {
                    json.writeNull();
                } else {
                    json.writeString(hex((ByteBuffer) value));
                }
            }
            case MAP -> {
                String singular = name.endsWith("s") ? name.substring(0, name.length() - 1) : name;
                Map<?, ?> map = value == null ? Map.of() : (Map<?, ?>) value;
                json.writeArrayFieldStart(singular + "_names");
                for (Object key : map.keySet()) {
                    json.writeString(key.toString());
                }
                json.writeEndArray();
                json.writeArrayFieldStart(singular + "_values");
                for (Object v : map.values()) {
                    json.writeString(v == null ? "" : v.toString());
                }
                json.writeEndArray();
            }
            default -> {
                json.writeFieldName(name);
                writeValue(json, type, value);
            }
        }
    }

    private static void writeValue(JsonGenerator json, Schema type, Object value) throws IOException {
        if (value == null) {
            json.writeNull();
            return;
        }
        switch (type.getType()) {
            case STRING, ENUM -> json.writeString(value.toString());
            case INT -> json.writeNumber((Integer) value);
            case LONG -> json.writeNumber((Long) value);
            case FLOAT -> json.writeNumber((Float) value);
            case DOUBLE -> json.writeNumber((Double) value);
            case BOOLEAN -> json.writeNumber((Boolean) value ? 1 : 0);
            case ARRAY -> {
                json.writeStartArray();
                for (Object element : (List<?>) value) {
                    writeValue(json, nonNull(type.getElementType()), element);
                }
                json.writeEndArray();
            }
            default -> throw new IllegalArgumentException("no ClickHouse column mapping for Avro " + type.getType()
                    + " (" + type.getFullName() + "): exclude the field or map it in the job");
        }
    }

    private static Schema nonNull(Schema schema) {
        if (schema.getType() != Schema.Type.UNION) {
            return schema;
        }
        for (Schema branch : schema.getTypes()) {
            if (branch.getType() != Schema.Type.NULL) {
                return branch;
            }
        }
        return schema;
    }

    static String hex(ByteBuffer bytes) {
        ByteBuffer b = bytes.duplicate();
        char[] out = new char[b.remaining() * 2];
        for (int i = 0; b.hasRemaining(); i += 2) {
            int v = b.get() & 0xff;
            out[i] = HEX[v >>> 4];
            out[i + 1] = HEX[v & 0xf];
        }
        return new String(out);
    }
}
