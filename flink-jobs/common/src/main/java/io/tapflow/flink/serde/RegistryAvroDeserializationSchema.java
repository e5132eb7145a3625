package io.tapflow.flink.serde;

import io.tapflow.schema.registry.SchemaRegistryClient;
import io.tapflow.schema.serde.AvroDeserializer;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Flink {@link DeserializationSchema} for Confluent wire-format Avro, for
 * {@code KafkaSource.builder().setValueOnlyDeserializer(..)}. The writer schema is fetched from the registry by
 * the id in each record; the reader schema is the SpecificRecord class's (or the given generic reader schema), so
 * a job keeps reading when producers move to a newer compatible schema.
 *
 * <p>Serializable state is the topic, a string config map, the record class and the reader schema as JSON; the
 * registry client is created in {@link #open}. Tombstones (null messages) produce nothing. Malformed records throw
 * the serde's exceptions ({@link io.tapflow.schema.serde.WireFormatException} and subtypes,
 * {@link io.tapflow.schema.registry.SchemaRegistryException} and subtypes), which name the topic.
 *
 * <p>Produced type: {@link AvroSpecificTypeInfo} of the record class (Avro binary between operators; flink-avro,
 * whose AvroTypeInfo Flink's {@code TypeInformation.of} demands for Avro classes, is not a dependency, and Kryo
 * cannot copy {@code bytes} fields on Java 17); for GenericRecord the caller passes type information.
 */
public final class RegistryAvroDeserializationSchema<T> implements DeserializationSchema<T> {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final HashMap<String, String> config;
    private final Class<T> specificClass;
    private final String readerSchema;
    private final TypeInformation<T> producedType;

    private transient AvroDeserializer<T> deserializer;

    private RegistryAvroDeserializationSchema(String topic, Map<String, String> config, Class<T> specificClass,
            String readerSchema, TypeInformation<T> producedType) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.config = new HashMap<>(Objects.requireNonNull(config, "config"));
        this.specificClass = specificClass;
        this.readerSchema = readerSchema;
        this.producedType = Objects.requireNonNull(producedType, "producedType");
        RegistryConfigs.requireUrl(this.config);
    }

    /** Reads {@code topic} into instances of {@code recordClass}, whose schema is the reader schema. */
    public static <T extends SpecificRecordBase> RegistryAvroDeserializationSchema<T> forSpecific(
            Class<T> recordClass, String topic, Map<String, String> config) {
        return new RegistryAvroDeserializationSchema<>(topic, config, recordClass, null,
                AvroSpecificTypeInfo.forRecord(recordClass));
    }

    /**
     * Reads {@code topic} into GenericRecords resolved to {@code readerSchema} (null: each record's writer schema).
     * {@code typeInfo} is how Flink ships the records between operators (e.g. flink-avro's
     * {@code GenericRecordAvroTypeInfo} where available).
     */
    public static RegistryAvroDeserializationSchema<GenericRecord> forGeneric(
            Schema readerSchema, String topic, Map<String, String> config, TypeInformation<GenericRecord> typeInfo) {
        return new RegistryAvroDeserializationSchema<>(topic, config, null,
                readerSchema == null ? null : readerSchema.toString(), typeInfo);
    }

    @Override
    public void open(InitializationContext context) {
        SchemaRegistryClient client = SchemaRegistryClient.fromConfig(config);
        if (specificClass != null) {
            deserializer = new AvroDeserializer<>(client, specificClass);
        } else if (readerSchema != null) {
            deserializer = new AvroDeserializer<>(client, new Schema.Parser().parse(readerSchema));
        } else {
            deserializer = new AvroDeserializer<>(client);
        }
    }

    /** Null for a null message (a tombstone); Flink's collector variant then emits nothing. */
    @Override
    public T deserialize(byte[] message) {
        if (deserializer == null) {
            throw new IllegalStateException("RegistryAvroDeserializationSchema for topic " + topic
                    + " used before open()");
        }
        return deserializer.deserialize(topic, message);
    }

    @Override
    public boolean isEndOfStream(T nextElement) {
        return false;
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return producedType;
    }
}
