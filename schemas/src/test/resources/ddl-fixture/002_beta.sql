CREATE TABLE IF NOT EXISTS {{db}}.beta (ts DateTime, v Float64)
ENGINE = MergeTree ORDER BY ts {{TTL:ts + INTERVAL 7 DAY}}
