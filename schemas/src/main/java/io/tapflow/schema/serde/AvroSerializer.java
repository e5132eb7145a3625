package io.tapflow.schema.serde;

import io.tapflow.schema.registry.SchemaRegistryClient;
import io.tapflow.schema.registry.SchemaRegistryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
import org.apache.avro.io.EncoderFactory;
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

    private final Map<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();
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
        String subject = AvroSerdeConfig.subject(topic, isKey);
        int id;
        try {
            id = autoRegister ? client.register(subject, schema) : client.getId(subject, schema);
        } catch (SchemaRegistryException e) {
            throw e.withContext("topic " + topic + " (subject " + subject + ", schema " + schema.getFullName() + ")");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        out.writeBytes(WireFormat.header(id));
        try {
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writers.computeIfAbsent(schema, s -> writerFor(s, data)).write(data, encoder);
            encoder.flush();
        } catch (IOException | AvroRuntimeException | ClassCastException | NullPointerException e) {
            throw new SerializationException("topic " + topic + ": cannot encode " + schema.getFullName()
                    + " record with schema id " + id + ": " + e, e);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        if (ownsClient && client != null) {
            client.close();
        }
    }

    private static DatumWriter<Object> writerFor(Schema schema, Object sample) {
        if (sample instanceof SpecificRecord) {
            return new SpecificDatumWriter<>(schema, SpecificRecords.withCustomCoders(sample.getClass()));
        }
        return new GenericDatumWriter<>(schema, GenericData.get());
    }
}
