-- l4_flow_log: one row = one emission of the L4 summary of one flow (Avro FlowLog): one socket's connection as
-- seen by one agent. flow-aggregation emits a flow periodically while it is open (is_final = 0) and once when it
-- ends (is_final = 1); every emission carries cumulative counters.
-- Engine: ReplacingMergeTree(sequence). Key (time, flow_id) is fixed for the whole life of a flow (time comes from
-- start_time_us), so all emissions of a flow and their replayed twins collapse into the one with the highest
-- sequence (the final one once the flow ended).
-- Query without double counting: `FROM l4_flow_log FINAL`, or
-- `SELECT flow_id, argMax(bytes_client_to_server, sequence) ... GROUP BY flow_id`. Never sum counters over raw
-- rows: interim emissions repeat the same cumulative values.
-- Differences from the Avro record: `time` is MATERIALIZED from start_time_us (never insert it); enums are
-- stored as symbol names; booleans as UInt8; socket_id keeps the signed Avro long bit pattern (Int64).
-- Retention (modern servers only): 7 days.
CREATE TABLE IF NOT EXISTS {{db}}.l4_flow_log
(
    flow_id                     String,
    agent_id                    {{LC:String}},
    socket_id                   Int64,
    observation_point           {{LC:String}},
    ip_family                   {{LC:String}},
    l4_protocol                 {{LC:String}},
    l7_protocol                 {{LC:String}},
    client_ip                   String,
    client_port                 UInt16,
    client_pid                  Nullable(UInt32),
    client_process              {{LC:Nullable(String)}},
    client_service              {{LC:Nullable(String)}},
    server_ip                   String,
    server_port                 UInt16,
    server_pid                  Nullable(UInt32),
    server_process              {{LC:Nullable(String)}},
    server_service              {{LC:Nullable(String)}},
    start_time_us               UInt64,
    end_time_us                 UInt64,
    duration_us                 UInt64,
    bytes_client_to_server      UInt64,
    bytes_server_to_client      UInt64,
    syscalls_client_to_server   UInt64,
    syscalls_server_to_client   UInt64,
    connect_latency_us          Nullable(UInt64),
    srtt_us                     Nullable(UInt64),
    retransmits                 UInt64,
    resets                      UInt64,
    close_type                  {{LC:Nullable(String)}},
    is_final                    UInt8,
    sequence                    UInt32,
    time                        DateTime MATERIALIZED toDateTime(intDiv(start_time_us, 1000000))
)
ENGINE = ReplacingMergeTree(sequence)
PARTITION BY toYYYYMMDD(time)
ORDER BY (time, flow_id)
{{TTL:time + INTERVAL 7 DAY}}
SETTINGS index_granularity = 8192;
