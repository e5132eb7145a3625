-- spans: one row = one span (Avro Span) as of one emission of its trace, written by trace-assembly each time it
-- emits the trace (Avro Trace.spans, at-least-once).
-- Engine: ReplacingMergeTree(trace_update_seq). Key (trace_id, span_id); a span's start_time_us (hence `time` and
-- its partition) never changes, so a re-emission after late spans (higher trace_update_seq) replaces the older
-- row, and a replayed twin (same trace_update_seq, identical content) collapses with it.
-- Query without double counting: `FROM spans FINAL WHERE trace_id = '...'`, or
-- `GROUP BY trace_id, span_id` with argMax(<col>, trace_update_seq).
-- Known limit: when trace-assembly merges two partial traces, spans of the absorbed trace are re-emitted under
-- the surviving trace_id; their rows under the old trace_id stay (a ReplacingMergeTree cannot delete them). The
-- traces table tells which trace_id is current; to list every span once regardless of trace, GROUP BY span_id.
-- Differences from the Avro record: `time` is MATERIALIZED from start_time_us (never insert it); enums are stored
-- as symbol names; attributes map -> parallel attribute_names / attribute_values arrays.
-- Retention (modern servers only): 7 days.
CREATE TABLE IF NOT EXISTS {{db}}.spans
(
    trace_id                    String,
    span_id                     String,
    parent_span_id              Nullable(String),
    kind                        {{LC:String}},
    service                     {{LC:String}},
    endpoint                    Nullable(String),
    l7_protocol                 {{LC:String}},
    start_time_us               UInt64,
    end_time_us                 UInt64,
    self_time_us                UInt64,
    status                      {{LC:String}},
    response_code               Nullable(Int32),
    log_id                      String,
    agent_id                    {{LC:String}},
    link_rule                   {{LC:String}},
    trace_update_seq            UInt64,
    attribute_names             Array(String),
    attribute_values            Array(String) {{CODEC:ZSTD(3)}},
    time                        DateTime MATERIALIZED toDateTime(intDiv(start_time_us, 1000000))
)
ENGINE = ReplacingMergeTree(trace_update_seq)
PARTITION BY toYYYYMMDD(time)
ORDER BY (trace_id, span_id)
{{TTL:time + INTERVAL 7 DAY}}
SETTINGS index_granularity = 8192;
