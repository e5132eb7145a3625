/* service map edges: the latest row per edge wins */
CREATE TABLE IF NOT EXISTS {{db}}.fixture_edges (
    `minute`   DateTime('UTC'),
    client     String,
    server     String,
    protocol   Enum16('http' = 1, 'grpc' = 2, 'redis' = 3),
    id         UUID,
    requests   UInt32,
    errors     Int32,
    version    UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY (client, server, minute);
