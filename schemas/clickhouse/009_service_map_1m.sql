-- service_map_1m: one row = traffic on one service-map edge (client_service -> server_service) for one l7_protocol and
-- observation_point over one 1-minute tumbling event-time window (Avro ServiceMapEdge, window_size_ms = 60000),
-- computed by trace-assembly from linked spans: a client span and the server span of the same call count once.
-- Engine: ReplacingMergeTree without a version column. A window is emitted once; a replay after a failure
-- re-inserts the identical row, and the key (client_service, server_service, l7_protocol, observation_point,
-- window_start_ms) is exactly the edge-window's identity, so twins collapse on merge.
-- Query without double counting: `FROM service_map_1m FINAL`, or reduce to one row per key with GROUP BY on the key
-- columns and any() first. Pick one observation_point per question.
-- latency_sketch_hex = hex() of the Avro latency_sketch bytes (DDSketch protobuf), see app_metrics_1m.
-- Differences from the Avro record: `window_start` is MATERIALIZED from window_start_ms (never insert it); enums
-- are stored as symbol names; latency_sketch -> latency_sketch_hex.
-- Retention (modern servers only): 90 days.
CREATE TABLE IF NOT EXISTS {{db}}.service_map_1m
(
    window_start_ms             UInt64,
    window_size_ms              UInt32,
    client_service              {{LC:String}},
    server_service              {{LC:String}},
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
ORDER BY (client_service, server_service, l7_protocol, observation_point, window_start_ms)
{{TTL:window_start + INTERVAL 90 DAY}}
SETTINGS index_granularity = 8192;
