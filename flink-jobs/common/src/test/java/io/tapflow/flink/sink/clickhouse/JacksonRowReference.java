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
 * The oracle {@link AvroRowSerializerTest} compares with: the table mapping written the way the rows were written
 * before {@link JsonLine}, through a Jackson generator, field by field from the schema.
 */
final class JacksonRowReference {

    private static final JsonFactory JSON = new JsonFactory();

    private JacksonRowReference() {
    }

    static byte[] row(SpecificRecordBase record, Set<String> excluded) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            for (Schema.Field f : record.getSchema().getFields()) {
                if (!excluded.contains(f.name())) {
                    column(json, f.name(), optional(f.schema()), record.get(f.pos()));
                }
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void column(JsonGenerator json, String name, Schema type, Object value) throws IOException {
        if (type.getType() == Schema.Type.BYTES) {
            json.writeFieldName(name + "_hex");
            if (value == null) {
                json.writeNull();
            } else {
                json.writeString(AvroRowSerializer.hex((ByteBuffer) value));
            }
        } else if (type.getType() == Schema.Type.MAP) {
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
        } else {
            json.writeFieldName(name);
            value(json, type, value);
        }
    }

    private static void value(JsonGenerator json, Schema type, Object value) throws IOException {
        if (value == null) {
            json.writeNull();
        } else if (value instanceof List<?> list) {
            json.writeStartArray();
            for (Object element : list) {
                value(json, optional(type.getElementType()), element);
            }
            json.writeEndArray();
        } else if (value instanceof Boolean b) {
            json.writeNumber(b ? 1 : 0);
        } else if (value instanceof Integer i) {
            json.writeNumber(i);
        } else if (value instanceof Long l) {
            json.writeNumber(l);
        } else if (value instanceof Float f) {
            json.writeNumber(f);
        } else if (value instanceof Double d) {
            json.writeNumber(d);
        } else {
            json.writeString(value.toString());
        }
    }

    private static Schema optional(Schema schema) {
        return schema.getType() != Schema.Type.UNION ? schema
                : schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).findFirst().orElseThrow();
    }
}
