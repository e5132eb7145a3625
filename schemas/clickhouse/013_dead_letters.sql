-- dead_letters: one row = one input a Flink job could not process (Avro DeadLetter), written by the jobs'
-- dead-letter sink at-least-once.
-- Engine: ReplacingMergeTree without a version column. dead_letter_id is deterministic (job, stage and the input's
-- Kafka coordinates, or key + time) and job, stage, time are functions of the same input, so a replayed twin has
-- the same key (job, stage, time, dead_letter_id) and collapses on merge.
-- Query without double counting: `FROM dead_letters FINAL`, or uniqExact(dead_letter_id) / GROUP BY
-- dead_letter_id.
-- original_bytes_hex = hex() of the Avro original_bytes (NULL when the Avro field is null): ClickHouse 18.16 has no
-- base64 and JSONEachRow cannot carry raw bytes; unhex(original_bytes_hex) gives the bytes back.
-- Differences from the Avro record: `time` is MATERIALIZED from timestamp_ms (never insert it); reason stored as
-- its symbol name; original_bytes -> original_bytes_hex.
-- Retention (modern servers only): 14 days.
CREATE TABLE IF NOT EXISTS {{db}}.dead_letters
(
    dead_letter_id              String,
    source_topic                {{LC:Nullable(String)}},
    source_partition            Nullable(Int32),
    source_offset               Nullable(Int64),
    timestamp_ms                UInt64,
    job                         {{LC:String}},
    stage                       {{LC:String}},
    reason                      {{LC:String}},
    error_message               String {{CODEC:ZSTD(3)}},
    original_bytes_hex          Nullable(String) {{CODEC:ZSTD(3)}},
    original_size               UInt64,
    time                        DateTime MATERIALIZED toDateTime(intDiv(timestamp_ms, 1000))
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMMDD(time)
ORDER BY (job, stage, time, dead_letter_id)
{{TTL:time + INTERVAL 14 DAY}}
SETTINGS index_granularity = 8192;
