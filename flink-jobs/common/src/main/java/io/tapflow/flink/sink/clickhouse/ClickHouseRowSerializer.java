package io.tapflow.flink.sink.clickhouse;

import java.io.Serializable;

/**
 * Turns one stream element into one row of ClickHouse's JSONEachRow format: a single JSON object, UTF-8, on one
 * line, whose keys are the table's column names (MATERIALIZED and ALIAS columns must be left out). The sink adds the
 * line break. It is shipped to the task managers with the job, hence {@link Serializable}.
 *
 * <p>The sink checks the shape of every line (an object, no raw line break) and fails the job with the serializer's
 * class name otherwise; whether the values fit the column types is for ClickHouse to say, and a row it cannot parse
 * fails the job too. A stream that may carry bad data routes it to the dead-letter sink before this point.
 *
 * <p>Billing tables need a deterministic id per row (see the DDL in schemas/clickhouse): the sink writes
 * at-least-once and a replayed row must collapse with its twin.
 *
 * @param <T> the stream element
 */
@FunctionalInterface
public interface ClickHouseRowSerializer<T> extends Serializable {

    /** The JSONEachRow line of {@code element}, without a trailing line break. Never null. */
    byte[] serialize(T element);
}
