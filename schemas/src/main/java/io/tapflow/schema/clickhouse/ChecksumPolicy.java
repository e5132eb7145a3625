package io.tapflow.schema.clickhouse;

/** What to do when a DDL file changed after it was applied. */
public enum ChecksumPolicy {
    /** Refuse to apply anything and throw {@link ChecksumMismatchException} (the default). */
    FAIL,
    /** Log a warning per changed file, report it, and go on applying the pending files. */
    WARN
}
