package io.tapflow.schema.serde;

import io.tapflow.schema.registry.SchemaRegistryClient;
import io.tapflow.schema.registry.SchemaRegistryException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DirectBinaryEncoder;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serializer writing Avro records (GenericRecord or SpecificRecord) in Confluent wire format. The subject is
 * {@code <topic>-value} ({@code <topic>-key} for keys); the record's own schema is registered there (or only looked
 * up with {@code auto.register.schemas=false}). Null serializes to null so tombstones pass through.
 *
 * <p>Use it through Kafka config ({@code value.serializer} + {@code schema.registry.url}, see
 * {@link AvroSerdeConfig} and {@link io.tapflow.schema.registry.SchemaRegistryClientConfig}) or construct it with a
 * client.
 */
public class AvroSerializer<T> implements Serializer<T> {

    /**
     * Per thread: the buffer and encoder every record is written with (a fresh stream per record grew and copied
     * its array several times for a 300-byte event: visible in the collector's publishing profile).
     */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final Map<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();
    /**
     * The last schema seen per topic with its id and writer: records of a topic nearly always share one schema
     * instance, so the subject name, the registry cache and the writer map are consulted only when it changes.
     */
    private final Map<String, Target> targets = new ConcurrentHashMap<>();
    private SchemaRegistryClient client;
    private boolean ownsClient;
    private boolean autoRegister = true;
    private boolean isKey;

    /** For Kafka, which calls {@link #configure} next. */
    public AvroSerializer() {
    }

    /** A value serializer that auto-registers schemas. */
    public AvroSerializer(SchemaRegistryClient client) {
        this(client, true, false);
    }

    public AvroSerializer(SchemaRegistryClient client, boolean autoRegister, boolean isKey) {
        this.client = Objects.requireNonNull(client, "client");
        this.autoRegister = autoRegister;
        this.isKey = isKey;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
        this.autoRegister = AvroSerdeConfig.bool(configs, AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, true);
        if (client == null) {
            client = SchemaRegistryClient.fromConfig(configs);
            ownsClient = true;
        }
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        if (client == null) {
            throw new IllegalStateException("AvroSerializer is not configured: call configure() or pass a client");
        }
        if (!(data instanceof GenericContainer container)) {
            throw new SerializationException("topic " + topic + ": AvroSerializer writes Avro records"
                    + " (GenericRecord, SpecificRecord), got " + data.getClass().getName());
        }
        Schema schema = container.getSchema();
        Target target = targets.get(topic);
        if (target == null || target.schema != schema) {
            target = target(topic, schema, data);
        }
        Scratch scratch = SCRATCH.get();
        scratch.reset();
        scratch.writeHeader(target.id);
        try {
            target.writer.write(data, scratch.encoder);
            scratch.encoder.flush();
        } catch (IOException | AvroRuntimeException | ClassCastException | NullPointerException e) {
            throw new SerializationException("topic " + topic + ": cannot encode " + schema.getFullName()
                    + " record with schema id " + target.id + ": " + e, e);
        }
        return scratch.toByteArray();
    }

    /** Registers (or looks up) the schema of a topic's records and remembers it with its writer. */
    private Target target(String topic, Schema schema, T data) {
        String subject = AvroSerdeConfig.subject(topic, isKey);
        int id;
        try {
            id = autoRegister ? client.register(subject, schema) : client.getId(subject, schema);
        } catch (SchemaRegistryException e) {
            throw e.withContext("topic " + topic + " (subject " + subject + ", schema " + schema.getFullName() + ")");
        }
        Target target = new Target(schema, id, writers.computeIfAbsent(schema, s -> writerFor(s, data)));
        targets.put(topic, target);
        return target;
    }

    @Override
    public void close() {
        if (ownsClient && client != null) {
            client.close();
        }
    }

    private record Target(Schema schema, int id, DatumWriter<Object> writer) {
    }

    /**
     * A reusable output buffer: reset per record, copied out once at its exact length. Not a ByteArrayOutputStream,
     * whose synchronized writes cost a lock per encoded field.
     */
    private static final class Scratch extends OutputStream {
        private static final int INITIAL = 512;
        final BinaryEncoder encoder = new StringEncoder(this);
        private byte[] buf = new byte[INITIAL];
        private int count;

        void reset() {
            count = 0;
            if (buf.length > 1 << 20) {
                buf = new byte[INITIAL]; // do not keep a one-off large record's array for the thread's lifetime
            }
        }

        void writeHeader(int schemaId) {
            ensure(WireFormat.HEADER_LENGTH);
            WireFormat.putHeader(buf, count, schemaId);
            count += WireFormat.HEADER_LENGTH;
        }

        @Override
        public void write(int b) {
            ensure(1);
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            Objects.checkFromIndexSize(off, len, b.length);
            ensure(len);
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, count);
        }

        private void ensure(int more) {
            if (count + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
            }
        }
    }

    /**
     * Avro's direct binary encoding with Strings turned into UTF-8 by the JDK: Avro 1.12 copies them char by char
     * first (a tenth of the collector's publisher thread, five Strings per event). The bytes are the same: Avro
     * also writes a String's {@code getBytes(UTF_8)} whenever it is not plain ASCII.
     */
    private static final class StringEncoder extends DirectBinaryEncoder {
        StringEncoder(OutputStream out) {
            super(out);
        }

        @Override
        public void writeString(String string) throws IOException {
            if (string.isEmpty()) {
                writeZero();
                return;
            }
            byte[] bytes = string.getBytes(StandardCharsets.UTF_8);
            writeInt(bytes.length);
            writeFixed(bytes, 0, bytes.length);
        }
    }

    private static DatumWriter<Object> writerFor(Schema schema, Object sample) {
        if (sample instanceof SpecificRecord) {
            return new SpecificDatumWriter<>(schema, SpecificRecords.withCustomCoders(sample.getClass()));
        }
        return new GenericDatumWriter<>(schema, GenericData.get());
    }
}
