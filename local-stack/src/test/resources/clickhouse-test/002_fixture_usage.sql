-- billable usage per hour; SummingMergeTree adds up the counters
CREATE TABLE IF NOT EXISTS {{db}}.fixture_usage (
    hour           DateTime,
    tenant         {{LC:String}},
    model          {{LC:Nullable(String)}},
    input_tokens   UInt64,
    output_tokens  UInt64,
    cost           Decimal(18, 6),
    ttft_ms        Array(Float32),
    sample_ids     Array(Nullable(Int64))
) ENGINE = SummingMergeTree((input_tokens, output_tokens))
ORDER BY (tenant, hour)
