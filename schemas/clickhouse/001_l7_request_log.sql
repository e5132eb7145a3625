-- l7_request_log: one row = one application request/response observed at one process (Avro RequestLog,
-- DeepFlow l7_flow_log semantics), written by flow-aggregation, at-least-once.
-- Engine: ReplacingMergeTree without a version column. A replay after a failure re-inserts byte-identical rows
-- (log_id is deterministic, and every ORDER BY column is a function of the row's log_id), so twins collapse into
-- one on merge; which twin survives does not matter.
-- Query without double counting: merges are eventual, so either `FROM l7_request_log FINAL`, or count distinct
-- ids (`uniqExact(log_id)`, `GROUP BY log_id` with any()). Requests seen by agents on both ends appear once per
-- observation_point: filter on it (e.g. observation_point = 'SERVER_PROCESS') before counting requests.
-- Differences from the Avro record: `time` is MATERIALIZED from start_time_us (never insert it; select it
-- explicitly); enums are stored as their symbol names; attributes map -> parallel attribute_names /
-- attribute_values arrays (same length, same order); nullable Avro fields are Nullable columns.
-- Retention (modern servers only): 7 days.
CREATE TABLE IF NOT EXISTS {{db}}.l7_request_log
(
    log_id                      String,
    flow_id                     String,
    agent_id                    {{LC:String}},
    start_time_us               UInt64,
    end_time_us                 UInt64,
    observation_point           {{LC:String}},
    ip_family                   {{LC:String}},
    l4_protocol                 {{LC:String}},
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
    l7_protocol                 {{LC:String}},
    version                     {{LC:Nullable(String)}},
    request_type                {{LC:Nullable(String)}},
    request_domain              Nullable(String),
    request_resource            Nullable(String) {{CODEC:ZSTD(3)}},
    endpoint                    Nullable(String),
    request_id                  Nullable(Int64),
    response_status             {{LC:String}},
    response_code               Nullable(Int32),
    response_exception          Nullable(String) {{CODEC:ZSTD(3)}},
    request_length              Nullable(UInt64),
    response_length             Nullable(UInt64),
    response_duration_us        Nullable(UInt64),
    req_tcp_seq                 Nullable(UInt32),
    resp_tcp_seq                Nullable(UInt32),
    syscall_trace_id_request    Int64,
    syscall_trace_id_response   Int64,
    syscall_thread_id_request   Nullable(UInt32),
    syscall_thread_id_response  Nullable(UInt32),
    x_request_id                Nullable(String),
    trace_id                    Nullable(String),
    span_id                     Nullable(String),
    parent_span_id              Nullable(String),
    attribute_names             Array(String),
    attribute_values            Array(String) {{CODEC:ZSTD(3)}},
    time                        DateTime MATERIALIZED toDateTime(intDiv(start_time_us, 1000000))
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMMDD(time)
ORDER BY (l7_protocol, time, log_id)
{{TTL:time + INTERVAL 7 DAY}}
SETTINGS index_granularity = 8192;
