-- app_metrics_1s: one row = RED metrics (rate, errors, duration) of one (service, endpoint, l7_protocol, observation_point)
-- over one 1-second tumbling event-time window (Avro RedMetric with window_size_ms = 1000), written by flow-aggregation.
-- Engine: ReplacingMergeTree without a version column. A window is emitted once; a replay after a failure
-- re-inserts the identical row, and the key (service, endpoint, l7_protocol, observation_point, window_start_ms)
-- is exactly the window's identity, so twins collapse on merge.
-- Query without double counting: `FROM app_metrics_1s FINAL`, or first reduce to one row per key with
-- `GROUP BY service, endpoint, l7_protocol, observation_point, window_start_ms` and any(). Pick one
-- observation_point per question: a request observed at both ends is counted once in each.
-- Latency stats cover requests with a latency sample (latency_count); average = latency_sum_us / latency_count.
-- latency_sketch_hex = hex() of the Avro latency_sketch bytes (DDSketch protobuf): ClickHouse 18.16 has no base64
-- and JSONEachRow cannot carry raw bytes; merge sketches in Java (unhex in SQL gives the raw bytes back).
-- Differences from the Avro record: `window_start` is MATERIALIZED from window_start_ms (never insert it); enums
-- are stored as symbol names; latency_sketch -> latency_sketch_hex.
-- Retention (modern servers only): 3 days.
CREATE TABLE IF NOT EXISTS {{db}}.app_metrics_1s
(
    window_start_ms             UInt64,
    window_size_ms              UInt32,
    service                     {{LC:String}},
    endpoint                    String,
    l7_protocol                 {{LC:String}},
    observation_point           {{LC:String}},
    requests                    UInt64,
    client_errors               UInt64,
    server_errors               UInt64,
    timeouts                    UInt64,
    latency_count               UInt64,
    latency_sum_us              UInt64,
    latency_max_us              UInt64,
    latency_sketch_hex          String {{CODEC:ZSTD(3)}},
    latency_p50_us              Nullable(Float64),
    latency_p90_us              Nullable(Float64),
    latency_p99_us              Nullable(Float64),
    window_start                DateTime MATERIALIZED toDateTime(intDiv(window_start_ms, 1000))
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMMDD(window_start)
ORDER BY (service, endpoint, l7_protocol, observation_point, window_start_ms)
{{TTL:window_start + INTERVAL 3 DAY}}
SETTINGS index_granularity = 8192;
