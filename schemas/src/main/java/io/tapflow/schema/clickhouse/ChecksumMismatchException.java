package io.tapflow.schema.clickhouse;

import java.util.List;
import java.util.stream.Collectors;

/** DDL files changed after they were applied; nothing was applied in this run. */
public final class ChecksumMismatchException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final transient List<ClickHouseMigrator.Changed> changed;

    public ChecksumMismatchException(String database, List<ClickHouseMigrator.Changed> changed) {
        super("ClickHouse DDL changed after it was applied to database '" + database + "' (nothing applied; "
                + "CREATE TABLE IF NOT EXISTS would silently keep the old table). Put the change in a new file, or "
                + "drop the table and its schema_migrations row in a dev database, or run with --on-changed warn:\n"
                + changed.stream().map(ClickHouseMigrator.Changed::describe).collect(Collectors.joining("\n")));
        this.changed = List.copyOf(changed);
    }

    public List<ClickHouseMigrator.Changed> changed() {
        return changed;
    }
}
