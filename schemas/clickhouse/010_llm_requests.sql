-- llm_requests: one row = one LLM inference exchange (Avro LlmRequest), written by llm-metrics at-least-once. The
-- per-request side of billing reconciliation: summing input_tokens/output_tokens per (tenant, model, hour) here must
-- match llm_usage_hourly.
-- Engine: ReplacingMergeTree(complete). Key (tenant, model, time, request_id): request_id is deterministic and
-- tenant, model, start time are functions of the same exchange, so a replayed twin always has the same key and
-- collapses into one row. Should an incomplete (complete = 0) and a complete emission of the same request ever
-- both exist, the complete one wins; between equal versions the last inserted wins.
-- Query without double counting (billing!): `FROM llm_requests FINAL`, or
-- `SELECT request_id, argMax(output_tokens, complete) ... GROUP BY request_id`. Never sum raw rows.
-- Reconciliation with llm_usage_hourly: hour = toStartOfHour(time) in UTC, i.e.
-- intDiv(start_time_us, 3600000000) * 3600000 = llm_usage_hourly.hour_start_ms; tenant '' = no tenant in both.
-- Differences from the Avro record: `time` is MATERIALIZED from start_time_us (never insert it); enums are stored
-- as symbol names; booleans as UInt8.
-- Retention (modern servers only): 400 days (billing disputes reach back a year).
CREATE TABLE IF NOT EXISTS {{db}}.llm_requests
(
    request_id                  String,
    agent_id                    {{LC:String}},
    service                     {{LC:String}},
    provider                    {{LC:String}},
    model                       {{LC:String}},
    operation                   {{LC:String}},
    stream                      UInt8,
    observation_point           {{LC:String}},
    tenant                      String,
    start_time_us               UInt64,
    ttft_us                     Nullable(UInt64),
    tpot_us                     Nullable(UInt64),
    e2e_us                      UInt64,
    input_tokens                UInt64,
    output_tokens               UInt64,
    tokens_estimated            UInt8,
    tokens_per_second           Nullable(Float64),
    finish_reason               {{LC:Nullable(String)}},
    status                      {{LC:String}},
    response_code               Nullable(Int32),
    complete                    UInt8,
    error                       Nullable(String) {{CODEC:ZSTD(3)}},
    time                        DateTime MATERIALIZED toDateTime(intDiv(start_time_us, 1000000))
)
ENGINE = ReplacingMergeTree(complete)
PARTITION BY toYYYYMM(time)
ORDER BY (tenant, model, time, request_id)
{{TTL:time + INTERVAL 400 DAY}}
SETTINGS index_granularity = 8192;
