-- llm_metrics_1m: one row = LLM serving metrics of one (service, model, observation_point) over one 1-minute
-- tumbling event-time window (Avro LlmMetric, window_size_ms = 60000), written by llm-metrics.
-- Engine: ReplacingMergeTree without a version column. A window is emitted once; a replay after a failure
-- re-inserts the identical row, and the key (service, model, observation_point, window_start_ms) is exactly the
-- window's identity, so twins collapse on merge.
-- Query without double counting: `FROM llm_metrics_1m FINAL`, or reduce to one row per key first.
-- Histograms: *_bucket_counts are non-cumulative counts for the OpenTelemetry GenAI bucket bounds (seconds)
-- followed by +Inf, documented on the Avro fields: ttft (gen_ai.server.time_to_first_token) 16 bounds + Inf,
-- tpot (gen_ai.server.time_per_output_token) 13 + Inf, e2e (gen_ai.server.request.duration) 14 + Inf; empty when
-- no sample. Merge windows with sumForEach(ttft_bucket_counts).
-- Differences from the Avro record: `window_start` is MATERIALIZED from window_start_ms (never insert it); enums
-- are stored as symbol names.
-- Retention (modern servers only): 90 days.
CREATE TABLE IF NOT EXISTS {{db}}.llm_metrics_1m
(
    window_start_ms             UInt64,
    window_size_ms              UInt32,
    service                     {{LC:String}},
    model                       {{LC:String}},
    observation_point           {{LC:String}},
    requests                    UInt64,
    errors                      UInt64,
    concurrency_max             UInt64,
    concurrency_mean            Float64,
    ttft_bucket_counts          Array(UInt64),
    ttft_count                  UInt64,
    ttft_sum_us                 UInt64,
    ttft_p50_us                 Nullable(Float64),
    ttft_p95_us                 Nullable(Float64),
    ttft_p99_us                 Nullable(Float64),
    tpot_bucket_counts          Array(UInt64),
    tpot_count                  UInt64,
    tpot_sum_us                 UInt64,
    tpot_p50_us                 Nullable(Float64),
    tpot_p95_us                 Nullable(Float64),
    tpot_p99_us                 Nullable(Float64),
    e2e_bucket_counts           Array(UInt64),
    e2e_count                   UInt64,
    e2e_sum_us                  UInt64,
    e2e_p50_us                  Nullable(Float64),
    e2e_p95_us                  Nullable(Float64),
    e2e_p99_us                  Nullable(Float64),
    input_tokens                UInt64,
    output_tokens               UInt64,
    output_tokens_per_second    Float64,
    window_start                DateTime MATERIALIZED toDateTime(intDiv(window_start_ms, 1000))
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMMDD(window_start)
ORDER BY (service, model, observation_point, window_start_ms)
{{TTL:window_start + INTERVAL 90 DAY}}
SETTINGS index_granularity = 8192;
