package io.tapflow.schema.serde;

import io.tapflow.schema.registry.SchemaRegistryClient;
import io.tapflow.schema.registry.SchemaRegistryException;
import java.io.EOFException;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka deserializer for Confluent wire-format Avro. The writer schema comes from the registry by the id in the
 * message; the reader schema is
 * <ul>
 *   <li>the SpecificRecord class's schema (constructor with a class, {@code specific.avro.value.type}, or
 *       {@code specific.avro.reader=true} which picks the class named like the writer schema) — so a consumer
 *       built against an older schema still reads records written with a newer compatible one;</li>
 *   <li>an explicit reader schema (constructor) for GenericRecord projections;</li>
 *   <li>otherwise the writer schema itself (GenericRecord).</li>
 * </ul>
 * Null deserializes to null (tombstones). Malformed input raises {@link TruncatedMessageException} or
 * {@link UnknownMagicByteException}; registry trouble raises the client's exception types. Messages name the topic.
 */
public class AvroDeserializer<T> implements Deserializer<T> {

    private final Map<Integer, DatumReader<Object>> readers = new ConcurrentHashMap<>();
    private SchemaRegistryClient client;
    private boolean ownsClient;
    private Class<?> specificType;
    private boolean specificByWriterName;
    private Schema readerSchema;

    /** For Kafka, which calls {@link #configure} next. */
    public AvroDeserializer() {
    }

    /** GenericRecord in the writer's schema. */
    public AvroDeserializer(SchemaRegistryClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /** SpecificRecord of {@code type}, whose schema is the reader schema. */
    public AvroDeserializer(SchemaRegistryClient client, Class<T> type) {
        this(client);
        if (!SpecificRecord.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(type.getName() + " is not an Avro SpecificRecord");
        }
        this.specificType = type;
    }

    /** GenericRecord resolved to {@code readerSchema}. */
    public AvroDeserializer(SchemaRegistryClient client, Schema readerSchema) {
        this(client);
        this.readerSchema = Objects.requireNonNull(readerSchema, "readerSchema");
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        Object type = configs.get(isKey ? AvroSerdeConfig.SPECIFIC_AVRO_KEY_TYPE
                : AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE);
        if (type instanceof Class<?> c) {
            specificType = c;
        } else if (type != null) {
            try {
                specificType = Class.forName(type.toString().trim(), true, classLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalArgumentException("SpecificRecord class " + type + " not found", e);
            }
        }
        if (specificType != null && !SpecificRecord.class.isAssignableFrom(specificType)) {
            throw new IllegalArgumentException(specificType.getName() + " is not an Avro SpecificRecord");
        }
        specificByWriterName = specificType == null
                && AvroSerdeConfig.bool(configs, AvroSerdeConfig.SPECIFIC_AVRO_READER, false);
        if (client == null) {
            client = SchemaRegistryClient.fromConfig(configs);
            ownsClient = true;
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (client == null) {
            throw new IllegalStateException("AvroDeserializer is not configured: call configure() or pass a client");
        }
        int id = WireFormat.schemaId(topic, data);
        DatumReader<Object> reader = readers.get(id);
        if (reader == null) {
            Schema writer;
            try {
                writer = client.getById(id);
            } catch (SchemaRegistryException e) {
                throw e.withContext("topic " + topic + ", record with schema id " + id);
            }
            reader = readerFor(topic, id, writer);
            readers.put(id, reader);
        }
        BinaryDecoder decoder = DecoderFactory.get()
                .binaryDecoder(data, WireFormat.HEADER_LENGTH, WireFormat.bodyLength(data), null);
        try {
            return (T) reader.read(null, decoder);
        } catch (EOFException e) {
            throw new TruncatedMessageException("topic " + topic + ": Avro body of " + WireFormat.bodyLength(data)
                    + " bytes ends before the fields of schema id " + id + " are read (truncated record)", e);
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new SerializationException("topic " + topic + ": cannot decode Avro body of "
                    + WireFormat.bodyLength(data) + " bytes with schema id " + id + ": " + e, e);
        }
    }

    @Override
    public void close() {
        if (ownsClient && client != null) {
            client.close();
        }
    }

    private DatumReader<Object> readerFor(String topic, int id, Schema writer) {
        Class<?> type = specificType;
        if (type == null && specificByWriterName) {
            type = new SpecificData(classLoader()).getClass(writer);
            if (type == null || !SpecificRecord.class.isAssignableFrom(type)) {
                throw new SerializationException("topic " + topic + ": specific.avro.reader is set but no"
                        + " SpecificRecord class " + writer.getFullName() + " (schema id " + id
                        + ") is on the classpath");
            }
        }
        if (type != null) {
            SpecificData data = SpecificData.getForClass(type);
            return new SpecificDatumReader<>(writer, data.getSchema(type), data);
        }
        return new GenericDatumReader<>(writer, readerSchema != null ? readerSchema : writer, GenericData.get());
    }

    private static ClassLoader classLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : AvroDeserializer.class.getClassLoader();
    }
}
