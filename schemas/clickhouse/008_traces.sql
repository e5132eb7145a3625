-- traces: one row = the summary of one trace as of one emission (Avro Trace without its spans array; the spans
-- go to table spans), written by trace-assembly each time it emits the trace (at-least-once).
-- Engine: ReplacingMergeTree(update_seq) keyed by trace_id alone: the re-emission with the highest update_seq
-- replaces older ones and replayed twins collapse. The partition comes from start_time_us, which can move earlier
-- when a late span arrives; if that crosses midnight the old row sits in another partition and FINAL will not
-- remove it.
-- Query without double counting, exact: `SELECT trace_id, argMax(duration_us, update_seq), argMax(complete,
-- update_seq) ... FROM traces GROUP BY trace_id`; `FROM traces FINAL` is exact except for that midnight case.
-- Differences from the Avro record: no spans column; `time` is MATERIALIZED from start_time_us (never insert
-- it); booleans as UInt8.
-- Retention (modern servers only): 7 days.
CREATE TABLE IF NOT EXISTS {{db}}.traces
(
    trace_id                    String,
    root_service                {{LC:Nullable(String)}},
    root_endpoint               Nullable(String),
    start_time_us               UInt64,
    end_time_us                 UInt64,
    duration_us                 UInt64,
    span_count                  UInt32,
    error_count                 UInt32,
    complete                    UInt8,
    update_seq                  UInt64,
    time                        DateTime MATERIALIZED toDateTime(intDiv(start_time_us, 1000000))
)
ENGINE = ReplacingMergeTree(update_seq)
PARTITION BY toYYYYMMDD(time)
ORDER BY (trace_id)
{{TTL:time + INTERVAL 7 DAY}}
SETTINGS index_granularity = 8192;
