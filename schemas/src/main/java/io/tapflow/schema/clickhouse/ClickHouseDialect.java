package io.tapflow.schema.clickhouse;

import java.util.Locale;

/**
 * Which ClickHouse SQL the DDL templates render to. {@link #LEGACY} is what ClickHouse before 21 accepts (Debian's
 * 18.16: no LowCardinality without an experimental setting, no codecs, no TTL); {@link #MODERN} is 21+.
 */
public enum ClickHouseDialect {
    LEGACY,
    MODERN;

    /** The first major version rendered as {@link #MODERN}. */
    public static final int FIRST_MODERN_MAJOR = 21;

    /** From a {@code SELECT version()} answer such as {@code 18.16.1} or {@code 24.8.4.13}. */
    public static ClickHouseDialect forVersion(String version) {
        String v = version.trim();
        int dot = v.indexOf('.');
        String major = dot < 0 ? v : v.substring(0, dot);
        try {
            return Integer.parseInt(major) < FIRST_MODERN_MAJOR ? LEGACY : MODERN;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cannot read a ClickHouse major version from '" + version + "'", e);
        }
    }

    /** {@code legacy} or {@code modern} (any case); {@code auto} and null give null (= detect from the server). */
    public static ClickHouseDialect parseOrAuto(String value) {
        if (value == null || value.equalsIgnoreCase("auto")) {
            return null;
        }
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("dialect must be auto, legacy or modern, not '" + value + "'", e);
        }
    }
}
