-- Test DDL for ClickHouseMigrationITCase, written to the same conventions as schemas/clickhouse/:
-- NNN_<table>.sql, one CREATE TABLE IF NOT EXISTS {{db}}.<table>, placeholders {{db}} {{LC:T}} {{CODEC:spec}} {{TTL:expr}}.
CREATE TABLE IF NOT EXISTS {{db}}.fixture_requests (
    ts          DateTime{{CODEC:Delta, ZSTD(1)}},
    date        Date DEFAULT toDate(ts),
    service     {{LC:String}},
    method      Enum8('GET' = 1, 'POST' = 2, 'PUT' = 3, 'DELETE' = 4, 'OTHER' = 5),
    status      UInt16,
    duration_us UInt64{{CODEC:T64, ZSTD(1)}},
    trace_id    FixedString(16),
    peer        Nullable(String),
    tags        Array(String),
    score       Float64
) ENGINE = MergeTree
PARTITION BY date
ORDER BY (service, ts)
{{TTL:date + INTERVAL 30 DAY}};
