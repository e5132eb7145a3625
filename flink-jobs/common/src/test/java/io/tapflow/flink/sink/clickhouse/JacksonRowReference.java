package io.tapflow.flink.sink.clickhouse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
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
 * The Jackson-generator row writer {@link AvroRowSerializer} used before it wrote its own bytes ({@link JsonLine}),
 * kept as the oracle its output is compared with.
 */
final class JacksonRowReference<T extends SpecificRecordBase> {

    private static final JsonFactory JSON = new JsonFactory();

    private final Set<String> excluded;
    /** The columns of the last record type written; a sink writes one type, so one plan is kept. */
    private transient volatile Plan plan;

    JacksonRowReference(Set<String> excluded) {
        this.excluded = Set.copyOf(excluded);
    }

    byte[] serialize(T record) {
        Schema schema = record.getSchema();
        Plan p = plan;
        if (p == null || p.schema != schema) {
            p = new Plan(schema, plan(schema));
            plan = p;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            for (Column column : p.columns) {
                column.write(json, record.get(column.pos));
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing a " + schema.getName() + " row", e);
        }
        return out.toByteArray();
    }

    /** The columns of a record schema, worked out once: names pre-encoded, optional types unwrapped. */
    private Column[] plan(Schema schema) {
        return schema.getFields().stream().filter(f -> !excluded.contains(f.name()))
                .map(f -> new Column(f.pos(), f.name(), nonNull(f.schema()))).toArray(Column[]::new);
    }

    private record Plan(Schema schema, Column[] columns) {
    }

    /** One field's column(s) and how to write them. */
    private static final class Column {
        final int pos;
        final Schema type;
        /** The column, or for a map field the names column. */
        final SerializedString name;
        /** For a map field, the values column. */
        final SerializedString valuesName;

        Column(int pos, String field, Schema type) {
            this.pos = pos;
            this.type = type;
            switch (type.getType()) {
                case BYTES -> {
                    name = new SerializedString(field + "_hex");
                    valuesName = null;
                }
                case MAP -> {
                    String singular = field.endsWith("s") ? field.substring(0, field.length() - 1) : field;
                    name = new SerializedString(singular + "_names");
                    valuesName = new SerializedString(singular + "_values");
                }
                default -> {
                    name = new SerializedString(field);
                    valuesName = null;
                }
            }
        }

        void write(JsonGenerator json, Object value) throws IOException {
            switch (type.getType()) {
                case BYTES -> {
                    json.writeFieldName(name);
                    if (value == null) {
                        json.writeNull();
                    } else {
                        json.writeString(hex((ByteBuffer) value));
                    }
                }
                case MAP -> {
                    Map<?, ?> map = value == null ? Map.of() : (Map<?, ?>) value;
                    json.writeFieldName(name);
                    json.writeStartArray();
                    for (Object key : map.keySet()) {
                        json.writeString(key.toString());
                    }
                    json.writeEndArray();
                    json.writeFieldName(valuesName);
                    json.writeStartArray();
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

    private static String hex(ByteBuffer bytes) {
        return AvroRowSerializer.hex(bytes);
    }
}
