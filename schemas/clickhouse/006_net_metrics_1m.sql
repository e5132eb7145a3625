-- net_metrics_1m: one row = TCP/L4 metrics of one edge (client_service -> server_service:server_port, l4_protocol)
-- per observation_point over one 1-minute tumbling event-time window (Avro NetMetric, window_size_ms = 60000),
-- written by flow-aggregation from flows and TCP events.
-- Engine: ReplacingMergeTree without a version column. A window is emitted once; a replay after a failure
-- re-inserts the identical row, and the key (client_service, server_service, server_port, l4_protocol,
-- observation_point, window_start_ms) is exactly the window's identity, so twins collapse on merge.
-- Query without double counting: `FROM net_metrics_1m FINAL`, or reduce to one row per key (GROUP BY the key
-- columns, any()) first. Pick one observation_point per question. Averages: connect_latency_sum_us /
-- connect_latency_count, srtt_sum_us / srtt_count.
-- Differences from the Avro record: `window_start` is MATERIALIZED from window_start_ms (never insert it); enums
-- are stored as symbol names.
-- Retention (modern servers only): 90 days.
CREATE TABLE IF NOT EXISTS {{db}}.net_metrics_1m
(
    window_start_ms             UInt64,
    window_size_ms              UInt32,
    client_service              {{LC:String}},
    server_service              {{LC:String}},
    server_port                 UInt16,
    l4_protocol                 {{LC:String}},
    observation_point           {{LC:String}},
    new_flows                   UInt64,
    closed_flows                UInt64,
    connect_failures            UInt64,
    timeouts                    UInt64,
    bytes_client_to_server      UInt64,
    bytes_server_to_client      UInt64,
    retransmits                 UInt64,
    resets                      UInt64,
    connect_latency_count       UInt64,
    connect_latency_sum_us      UInt64,
    connect_latency_max_us      UInt64,
    srtt_count                  UInt64,
    srtt_sum_us                 UInt64,
    srtt_max_us                 UInt64,
    window_start                DateTime MATERIALIZED toDateTime(intDiv(window_start_ms, 1000))
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMMDD(window_start)
ORDER BY (client_service, server_service, server_port, l4_protocol, observation_point, window_start_ms)
{{TTL:window_start + INTERVAL 90 DAY}}
SETTINGS index_granularity = 8192;
