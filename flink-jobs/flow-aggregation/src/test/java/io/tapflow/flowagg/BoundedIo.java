package io.tapflow.flowagg;

import io.tapflow.flink.kafka.KafkaRecord;
import io.tapflow.flink.kafka.TapflowKafka;
import io.tapflow.flink.sink.clickhouse.AvroRowSerializer;
import io.tapflow.flowagg.config.FlowAggregationOptions;
import io.tapflow.schema.DeadLetter;
import io.tapflow.schema.FlowLog;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.topic.Topic;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The production inputs and outputs, but the raw topics read only up to their end at start, so the job finishes and
 * end of input flushes every window and open flow.
 */
record BoundedIo(FlowAggregationJob.KafkaClickHouseIo production, FlowAggregationOptions options)
        implements FlowAggregationJob.Io {

    BoundedIo(FlowAggregationOptions options) {
        this(new FlowAggregationJob.KafkaClickHouseIo(options), options);
    }

    @Override
    public DataStream<KafkaRecord> rawRecords(StreamExecutionEnvironment env) {
        return env.fromSource(TapflowKafka.sourceBuilder(options.pipeline().bootstrapServers(),
                                options.pipeline().groupId(), new Properties(), Topic.RAW_SOCKET_DATA,
                                Topic.RAW_TCP_EVENTS)
                        .setBounded(OffsetsInitializer.latest()).build(),
                WatermarkStrategy.noWatermarks(), "raw events");
    }

    @Override
    public Sink<RequestLog> requestLogKafka() {
        return production.requestLogKafka();
    }

    @Override
    public Sink<FlowLog> flowLogKafka() {
        return production.flowLogKafka();
    }

    @Override
    public Sink<DeadLetter> deadLetterKafka() {
        return production.deadLetterKafka();
    }

    @Override
    public <T extends SpecificRecordBase> Sink<T> clickHouse(String table, AvroRowSerializer<T> serializer) {
        return production.clickHouse(table, serializer);
    }
}
