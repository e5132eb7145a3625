-- llm_usage_hourly: one row = one emission of the billable token usage of one (tenant, model) in one UTC clock
-- hour (Avro LlmUsage), written by llm-metrics at-least-once. Every emission carries the hour's FULL totals (never
-- a delta) and a higher version than the previous emission of the same usage_id.
-- Engine: ReplacingMergeTree(version). Key (tenant, model, hour_start_ms, usage_id): usage_id is a deterministic
-- function of (tenant, model, hour_start_ms), so all emissions of a bucket and their replayed twins share the key;
-- merges keep the highest version = the current totals. A replayed twin has the same version and identical totals.
-- Query without double counting (billing!): never sum raw rows. Either
--   SELECT tenant, model, hour_start_ms, input_tokens, output_tokens FROM llm_usage_hourly FINAL WHERE ...
-- or, without FINAL,
--   SELECT usage_id, any(tenant), any(model), any(hour_start_ms), argMax(requests, version),
--          argMax(input_tokens, version), argMax(output_tokens, version), max(version)
--   FROM llm_usage_hourly GROUP BY usage_id
-- then aggregate that result (e.g. per tenant per month).
-- tenant '' = requests without a tenant. hour_start_ms is a multiple of 3600000 (UTC).
-- Differences from the Avro record: `hour_start` is MATERIALIZED from hour_start_ms (never insert it).
-- Retention: none (billing data is kept until deleted explicitly).
CREATE TABLE IF NOT EXISTS {{db}}.llm_usage_hourly
(
    usage_id                    String,
    tenant                      String,
    model                       {{LC:String}},
    hour_start_ms               UInt64,
    requests                    UInt64,
    input_tokens                UInt64,
    output_tokens               UInt64,
    estimated_requests          UInt64,
    version                     UInt64,
    hour_start                  DateTime MATERIALIZED toDateTime(intDiv(hour_start_ms, 1000))
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(hour_start)
ORDER BY (tenant, model, hour_start_ms, usage_id)
SETTINGS index_granularity = 8192;
