package io.tapflow.flink.sink.clickhouse;

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
    /** One line buffer per thread, reused row after row (the sink writers of a task share its thread). */
    private static final ThreadLocal<JsonLine> LINES = ThreadLocal.withInitial(JsonLine::new);
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final Set<String> excluded;
    /** The columns of the last record type written; a sink writes one type, so one plan is kept. */
    private transient volatile Plan plan;

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
        Schema schema = record.getSchema();
        Plan p = plan;
        if (p == null || p.schema != schema) {
            p = new Plan(schema, plan(schema));
            plan = p;
        }
        JsonLine json = LINES.get();
        json.reset();
        json.raw((byte) '{');
        Column[] columns = p.columns;
        for (int i = 0; i < columns.length; i++) {
            if (i > 0) {
                json.raw((byte) ',');
            }
            columns[i].write(json, record.get(columns[i].pos));
        }
        json.raw((byte) '}');
        return json.toByteArray();
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
        /** The column's {@code "name":}, or for a map field the names column's. */
        final byte[] name;
        /** For a map field, {@code ,"values column":}. */
        final byte[] valuesName;

        Column(int pos, String field, Schema type) {
            this.pos = pos;
            this.type = type;
            switch (type.getType()) {
                case BYTES -> {
                    name = fieldName(field + "_hex");
                    valuesName = null;
                }
                case MAP -> {
                    String singular = field.endsWith("s") ? field.substring(0, field.length() - 1) : field;
                    name = fieldName(singular + "_names");
                    byte[] values = fieldName(singular + "_values");
                    valuesName = new byte[values.length + 1];
                    valuesName[0] = ',';
                    System.arraycopy(values, 0, valuesName, 1, values.length);
                }
                default -> {
                    name = fieldName(field);
                    valuesName = null;
                }
            }
        }

        void write(JsonLine json, Object value) {
            json.raw(name);
            switch (type.getType()) {
                case BYTES -> {
                    if (value == null) {
                        json.writeNull();
                    } else {
                        json.string(hex((ByteBuffer) value));
                    }
                }
                case MAP -> {
                    Map<?, ?> map = value == null ? Map.of() : (Map<?, ?>) value;
                    json.raw((byte) '[');
                    boolean first = true;
                    for (Object key : map.keySet()) {
                        if (!first) {
                            json.raw((byte) ',');
                        }
                        first = false;
                        json.string(key.toString());
                    }
                    json.raw((byte) ']');
                    json.raw(valuesName);
                    json.raw((byte) '[');
                    first = true;
                    for (Object v : map.values()) {
                        if (!first) {
                            json.raw((byte) ',');
                        }
                        first = false;
                        json.string(v == null ? "" : v.toString());
                    }
                    json.raw((byte) ']');
                }
                default -> writeValue(json, type, value);
            }
        }

        /** {@code "field":} as JSON bytes. */
        private static byte[] fieldName(String field) {
            JsonLine line = new JsonLine();
            line.string(field);
            line.raw((byte) ':');
            return line.toByteArray();
        }
    }

    private static void writeValue(JsonLine json, Schema type, Object value) {
        if (value == null) {
            json.writeNull();
            return;
        }
        switch (type.getType()) {
            case STRING, ENUM -> json.string(value.toString());
            case INT -> json.number((long) (Integer) value);
            case LONG -> json.number((long) (Long) value);
            case FLOAT -> json.number((float) (Float) value);
            case DOUBLE -> json.number((double) (Double) value);
            case BOOLEAN -> json.number((Boolean) value ? 1L : 0L);
            case ARRAY -> {
                json.raw((byte) '[');
                boolean first = true;
                for (Object element : (List<?>) value) {
                    if (!first) {
                        json.raw((byte) ',');
                    }
                    first = false;
                    writeValue(json, nonNull(type.getElementType()), element);
                }
                json.raw((byte) ']');
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
