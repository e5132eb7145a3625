package io.tapflow.flink.kafka;

/**
 * One Kafka record as read, before decoding: its coordinates and bytes. Sources read these so that a value that
 * cannot be decoded becomes a dead letter naming its exact topic/partition/offset instead of failing the job. A
 * Flink POJO (public fields, no-arg constructor).
 */
public final class KafkaRecord {

    public String topic;
    public int partition;
    public long offset;
    public long timestampMs;
    public byte[] key;
    public byte[] value;

    public KafkaRecord() {
    }

    public KafkaRecord(String topic, int partition, long offset, long timestampMs, byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestampMs = timestampMs;
        this.key = key;
        this.value = value;
    }
}
