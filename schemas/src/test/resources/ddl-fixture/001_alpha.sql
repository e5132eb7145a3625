-- a fixture for MigrationSourceTest
CREATE TABLE IF NOT EXISTS {{db}}.alpha (
    id UInt64{{CODEC:Delta, ZSTD(1)}},
    name {{LC:String}}
) ENGINE = MergeTree ORDER BY id;
