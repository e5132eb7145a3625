package io.tapflow.flink.config;

import io.tapflow.flink.kafka.KafkaRecord;
import io.tapflow.flink.sink.clickhouse.AvroRowSerializer;
import io.tapflow.schema.DeadLetter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Where a job that reads the collector's raw events gets them and where its dead letters and ClickHouse rows go;
 * each job's own Io adds its output topics. {@link KafkaRawEventIo} is the production one.
 */
public interface RawEventIo {

    /** The records of the raw socket-data and TCP-event topics. */
    DataStream<KafkaRecord> rawRecords(StreamExecutionEnvironment env);

    Sink<DeadLetter> deadLetterKafka();

    <T extends SpecificRecordBase> Sink<T> clickHouse(String table, AvroRowSerializer<T> serializer);
}
