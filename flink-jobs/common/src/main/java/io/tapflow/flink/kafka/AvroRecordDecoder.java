package io.tapflow.flink.kafka;

import io.tapflow.flink.deadletter.DeadLetterException;
import io.tapflow.flink.deadletter.DeadLetters;
import io.tapflow.flink.deadletter.SafeProcessFunction;
import io.tapflow.schema.DeadLetterReason;
import io.tapflow.schema.registry.RegistryHttpException;
import io.tapflow.schema.registry.RegistryUnreachableException;
import io.tapflow.schema.registry.SchemaNotFoundException;
import io.tapflow.schema.registry.SchemaRegistryClient;
import io.tapflow.schema.serde.AvroDeserializer;
import io.tapflow.schema.serde.WireFormatException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.util.Collector;

/**
 * Decodes Confluent wire-format Avro values into a contract record. A value that is not decodable (foreign or
 * truncated bytes, corrupt Avro) or written with a schema id the registry does not know becomes a dead letter with
 * its Kafka coordinates and bytes; an unreachable registry is not the record's fault and fails the task (Flink
 * restarts it from the last checkpoint). Tombstones produce nothing.
 */
public final class AvroRecordDecoder<T extends SpecificRecordBase> extends SafeProcessFunction<KafkaRecord, T> {

    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final Map<String, String> registryConfig;

    private transient AvroDeserializer<T> deserializer;

    public AvroRecordDecoder(String job, Class<T> type, Map<String, String> registryConfig) {
        super(job, "decode-" + type.getSimpleName());
        this.type = Objects.requireNonNull(type, "type");
        this.registryConfig = new HashMap<>(registryConfig);
    }

    @Override
    public void open(OpenContext context) {
        deserializer = new AvroDeserializer<>(SchemaRegistryClient.fromConfig(registryConfig), type);
    }

    @Override
    protected void processSafely(KafkaRecord record, Context ctx, Collector<T> out) {
        if (record.value == null) {
            return;
        }
        T value;
        try {
            value = deserializer.deserialize(record.topic, record.value);
        } catch (RegistryUnreachableException e) {
            throw e;
        } catch (SchemaNotFoundException e) {
            throw new DeadLetterException(DeadLetterReason.UNKNOWN_SCHEMA, e.getMessage(), e);
        } catch (RegistryHttpException e) {
            // the registry failing (5xx, auth) is not the record's fault either
            throw e;
        } catch (WireFormatException e) {
            throw new DeadLetterException(DeadLetterReason.UNDECODABLE, e.getMessage(), e);
        } catch (RuntimeException e) {
            // Avro's own failures on corrupt bodies (AvroRuntimeException, IndexOutOfBounds, negative lengths …)
            throw new DeadLetterException(DeadLetterReason.UNDECODABLE, "not a " + type.getSimpleName()
                    + " in Avro: " + e, e);
        }
        if (value != null) {
            out.collect(value);
        }
    }

    @Override
    protected void describeInput(KafkaRecord record, Context ctx, DeadLetters.Builder letter) {
        letter.kafkaRecord(record.topic, record.partition, record.offset, record.timestampMs);
        if (record.value != null) {
            letter.originalBytes(record.value);
        }
    }
}
