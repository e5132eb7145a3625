package io.tapflow.collector.publish;

import java.util.Locale;

/** Why an event did not reach Kafka. Every event the agent takes in is published, dropped for one of these, or queued. */
public enum DropReason {
    /** The hand-off queue between the polling thread and the publisher was full (count or bytes). */
    QUEUE_FULL,
    /** Kafka did not take or acknowledge the record in time: its buffer was full, or the delivery timeout passed. */
    KAFKA_UNAVAILABLE,
    /** The schema registry could not be reached to register/look up the record's schema. */
    REGISTRY_UNAVAILABLE,
    /** The record could not be encoded (or the registry refused its schema). */
    SERIALIZATION,
    /** The encoded record is larger than the producer may send. */
    OVERSIZE,
    /** Still queued, or refused by Kafka without a retriable cause, when the shutdown deadline passed. */
    SHUTDOWN,
    /** Kafka refused the record for a non-retriable reason (authorization, unknown topic, ...). */
    KAFKA_REJECTED;

    /** The label value in metrics, e.g. {@code queue_full}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
