package io.tapflow.flink.deadletter;

import io.tapflow.flink.serde.AvroSpecificTypeInfo;
import io.tapflow.schema.DeadLetter;
import io.tapflow.schema.DeadLetterReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/**
 * The dead-letter side output every job shares, and the builder of {@link DeadLetter} records.
 *
 * <p>{@code dead_letter_id} follows DeadLetter.avsc: the first 16 bytes (32 lower-case hex chars) of SHA-256 over
 * (job, stage, source_topic, source_partition, source_offset) for a Kafka record, or over (job, stage, the input's
 * key, timestamp_ms) otherwise. Each field is written with a length or fixed width and the two forms start with
 * different tags, so no two distinct inputs concatenate to the same bytes. Only input fields enter the hash, so
 * a replay after a failure produces the same id (the ClickHouse idempotency key).
 */
public final class DeadLetters {

    /**
     * How dead letters travel between operators and into the sink: Avro binary, because the Kryo fallback (no
     * flink-avro here) cannot serialize the {@code original_bytes} ByteBuffer on Java 17 without opened modules.
     */
    public static final TypeInformation<DeadLetter> TYPE_INFO = AvroSpecificTypeInfo.forRecord(DeadLetter.class);

    /** Side output of dead letters, shipped in Avro binary (see {@link #TYPE_INFO}). */
    public static final OutputTag<DeadLetter> OUTPUT_TAG =
            new OutputTag<>("dead-letters", DeadLetters.TYPE_INFO);

    /** Default cap of {@code original_bytes} (DeadLetter.avsc: the job's dead-letter byte limit). */
    public static final int DEFAULT_MAX_ORIGINAL_BYTES = 64 * 1024;
    /** DeadLetter.avsc: error_message is at most 1024 chars. */
    public static final int MAX_ERROR_MESSAGE_CHARS = 1024;

    private static final byte KAFKA_FORM = 'K';
    private static final byte KEYED_FORM = 'E';

    private DeadLetters() {
    }

    public static Builder builder(String job, String stage) {
        return new Builder(job, stage);
    }

    /** "ExceptionClass: first line of message", capped at {@link #MAX_ERROR_MESSAGE_CHARS}. */
    public static String describe(Throwable error) {
        String msg = error.getMessage();
        String text = error.getClass().getName();
        if (msg != null && !msg.isEmpty()) {
            int nl = msg.indexOf('\n');
            text += ": " + (nl >= 0 ? msg.substring(0, nl) : msg);
        }
        return cap(text);
    }

    private static String cap(String s) {
        return s.length() <= MAX_ERROR_MESSAGE_CHARS ? s : s.substring(0, MAX_ERROR_MESSAGE_CHARS);
    }

    /**
     * Collects one dead letter's fields; {@link #build()} checks that the reason, error and input identity (Kafka
     * coordinates or key) are set. Not thread-safe; one per rejected input.
     */
    public static final class Builder {
        private final String job;
        private final String stage;
        private DeadLetterReason reason;
        private String errorMessage;
        private byte[] original;
        private long originalSize;
        private int maxOriginalBytes = DEFAULT_MAX_ORIGINAL_BYTES;
        private String topic;
        private Integer partition;
        private Long offset;
        private String key;
        private Long timestampMs;

        private Builder(String job, String stage) {
            this.job = Objects.requireNonNull(job, "job");
            this.stage = Objects.requireNonNull(stage, "stage");
        }

        public Builder reason(DeadLetterReason value) {
            this.reason = Objects.requireNonNull(value, "reason");
            return this;
        }

        public Builder error(Throwable error) {
            this.errorMessage = describe(Objects.requireNonNull(error, "error"));
            return this;
        }

        public Builder message(String message) {
            this.errorMessage = cap(Objects.requireNonNull(message, "message"));
            return this;
        }

        /** Bytes of the rejected input; null when it has no byte form. Copied up to the byte limit at build. */
        public Builder originalBytes(byte[] bytes) {
            this.original = bytes;
            this.originalSize = bytes == null ? 0 : bytes.length;
            return this;
        }

        /** Byte limit of {@code original_bytes}; 0 keeps no payload (only its size). */
        public Builder maxOriginalBytes(int limit) {
            if (limit < 0) {
                throw new IllegalArgumentException("maxOriginalBytes must not be negative: " + limit);
            }
            this.maxOriginalBytes = limit;
            return this;
        }

        /** The input was one Kafka record: its coordinates identify it, its timestamp is timestamp_ms. */
        public Builder kafkaRecord(String sourceTopic, int sourcePartition, long sourceOffset, long recordTimestampMs) {
            this.topic = Objects.requireNonNull(sourceTopic, "sourceTopic");
            this.partition = sourcePartition;
            this.offset = sourceOffset;
            this.timestampMs = recordTimestampMs;
            this.key = null;
            return this;
        }

        /** The input was not one Kafka record (e.g. a reassembled payload): its key and event time identify it. */
        public Builder inputKey(String inputKey, long eventTimeMs) {
            this.key = Objects.requireNonNull(inputKey, "inputKey");
            this.timestampMs = eventTimeMs;
            this.topic = null;
            this.partition = null;
            this.offset = null;
            return this;
        }

        public DeadLetter build() {
            if (reason == null || errorMessage == null || timestampMs == null) {
                throw new IllegalStateException("dead letter of " + job + "/" + stage
                        + " needs a reason, an error and kafkaRecord(...) or inputKey(...)");
            }
            ByteBuffer kept = null;
            if (original != null && maxOriginalBytes > 0) {
                // a copy: the caller's buffer may be reused, and only the first bytes are worth keeping
                kept = ByteBuffer.wrap(Arrays.copyOf(original, Math.min(original.length, maxOriginalBytes)));
            }
            return DeadLetter.newBuilder()
                    .setDeadLetterId(id())
                    .setSourceTopic(topic)
                    .setSourcePartition(partition)
                    .setSourceOffset(offset)
                    .setTimestampMs(timestampMs)
                    .setJob(job)
                    .setStage(stage)
                    .setReason(reason)
                    .setErrorMessage(errorMessage)
                    .setOriginalBytes(kept)
                    .setOriginalSize(originalSize)
                    .build();
        }

        private String id() {
            MessageDigest sha;
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JVM provides SHA-256", e);
            }
            ByteBuffer buf;
            byte[] jobBytes = job.getBytes(StandardCharsets.UTF_8);
            byte[] stageBytes = stage.getBytes(StandardCharsets.UTF_8);
            if (topic != null) {
                byte[] topicBytes = topic.getBytes(StandardCharsets.UTF_8);
                buf = ByteBuffer.allocate(1 + 12 + jobBytes.length + stageBytes.length + topicBytes.length + 12);
                buf.put(KAFKA_FORM);
                putString(buf, jobBytes);
                putString(buf, stageBytes);
                putString(buf, topicBytes);
                buf.putInt(partition).putLong(offset);
            } else {
                byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
                buf = ByteBuffer.allocate(1 + 12 + jobBytes.length + stageBytes.length + keyBytes.length + 8);
                buf.put(KEYED_FORM);
                putString(buf, jobBytes);
                putString(buf, stageBytes);
                putString(buf, keyBytes);
                buf.putLong(timestampMs);
            }
            byte[] digest = sha.digest(buf.array());
            return HexFormat.of().formatHex(digest, 0, 16);
        }

        private static void putString(ByteBuffer buf, byte[] utf8) {
            buf.putInt(utf8.length).put(utf8);
        }
    }
}
