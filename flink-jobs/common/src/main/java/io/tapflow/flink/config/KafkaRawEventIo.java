package io.tapflow.flink.config;

import io.tapflow.flink.kafka.KafkaRecord;
import io.tapflow.flink.kafka.TapflowKafka;
import io.tapflow.flink.sink.clickhouse.AvroRowSerializer;
import io.tapflow.schema.DeadLetter;
import io.tapflow.schema.topic.Topic;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The production {@link RawEventIo}: the raw topics of the configured Kafka (from the consumer group's committed
 * offsets, else the earliest), the dead-letter topic and the configured ClickHouse. With {@code boundedInput} the
 * raw topics are read only up to their end at start and the job then finishes, flushing every window and open flow:
 * for reprocessing what a topic holds, and for tests.
 */
public abstract class KafkaRawEventIo implements RawEventIo {

    protected final PipelineOptions pipeline;
    private final boolean boundedInput;

    protected KafkaRawEventIo(PipelineOptions pipeline, boolean boundedInput) {
        this.pipeline = pipeline;
        this.boundedInput = boundedInput;
    }

    @Override
    public DataStream<KafkaRecord> rawRecords(StreamExecutionEnvironment env) {
        if (!boundedInput) {
            return pipeline.kafkaSource(env, "raw events", Topic.RAW_SOCKET_DATA, Topic.RAW_TCP_EVENTS)
                    .uid("kafka-raw-events");
        }
        return env.fromSource(TapflowKafka.sourceBuilder(pipeline.bootstrapServers(), pipeline.groupId(),
                                new Properties(), Topic.RAW_SOCKET_DATA, Topic.RAW_TCP_EVENTS)
                        .setBounded(OffsetsInitializer.latest()).build(),
                WatermarkStrategy.noWatermarks(), "raw events").uid("kafka-raw-events");
    }

    @Override
    public Sink<DeadLetter> deadLetterKafka() {
        return pipeline.deadLetterSink();
    }

    @Override
    public <T extends SpecificRecordBase> Sink<T> clickHouse(String table, AvroRowSerializer<T> serializer) {
        return pipeline.clickHouse(table, serializer);
    }
}
