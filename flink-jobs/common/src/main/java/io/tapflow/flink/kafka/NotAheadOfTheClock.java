package io.tapflow.flink.kafka;

import java.io.Serializable;
import java.util.Objects;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Record timestamps never ahead of the wall clock. A record's timestamp is its element's event time, and the output
 * of an event-time timer carries the timer's time: at the end of a bounded input the watermark jumps to the end of
 * time and fires every timer (an hour's billable usage, stamped 10 minutes after that hour ends), and an agent whose
 * clock runs ahead moves the watermark just as far. A broker rejects a record more than
 * {@code log.message.timestamp.after.max.ms} (1 hour by default since Kafka 4.0) ahead of its own clock with
 * InvalidTimestampException, and the job fails on every restart; so such a record is stamped with the time it is
 * written instead. Earlier timestamps pass unchanged.
 */
final class NotAheadOfTheClock<T> implements KafkaRecordSerializationSchema<T> {

    private static final long serialVersionUID = 1L;

    /** Milliseconds since the epoch, now. */
    interface Clock extends Serializable {
        long nowMs();
    }

    private final KafkaRecordSerializationSchema<T> delegate;
    private final Clock clock;

    NotAheadOfTheClock(KafkaRecordSerializationSchema<T> delegate) {
        this(delegate, System::currentTimeMillis);
    }

    NotAheadOfTheClock(KafkaRecordSerializationSchema<T> delegate, Clock clock) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext)
            throws Exception {
        delegate.open(context, sinkContext);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        return delegate.serialize(element, context, timestamp == null ? null : Math.min(timestamp, clock.nowMs()));
    }
}
