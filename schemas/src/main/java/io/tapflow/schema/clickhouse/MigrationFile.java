package io.tapflow.schema.clickhouse;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One DDL file {@code NNN_<table>.sql}: exactly one {@code CREATE TABLE IF NOT EXISTS {{db}}.<table> (…) ENGINE = …}
 * statement (optional trailing {@code ;}, {@code --} comment lines allowed) for the table its name says.
 *
 * @param version  NNN, the apply order (unique across the set)
 * @param fileName e.g. {@code 003_l7_request_log.sql}
 * @param table    the table the file creates
 * @param text     the template as in the file, line endings normalized
 * @param checksum SHA-256 hex of {@code text}
 */
public record MigrationFile(int version, String fileName, String table, String text, String checksum) {

    public static final Pattern FILE_NAME = Pattern.compile("(\\d{3})_([a-z][a-z0-9_]*)\\.sql");
    private static final Pattern CREATE = Pattern.compile(
            "CREATE\\s+TABLE\\s+IF\\s+NOT\\s+EXISTS\\s+\\{\\{db}}\\.`?([A-Za-z_][A-Za-z0-9_]*)`?\\s*\\(",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern ENGINE = Pattern.compile("\\)\\s*ENGINE\\s*=", Pattern.CASE_INSENSITIVE);

    /**
     * Parses and validates a file: its name, that it holds exactly one statement, that the statement is the
     * {@code CREATE TABLE IF NOT EXISTS {{db}}.<table>} of the table in its name with an ENGINE, and that every
     * placeholder renders in both dialects.
     *
     * @throws DdlTemplateException naming the file and what is wrong
     */
    public static MigrationFile parse(String fileName, String text) {
        Matcher name = FILE_NAME.matcher(fileName);
        if (!name.matches()) {
            throw new DdlTemplateException(fileName + ": DDL file names must look like NNN_<table>.sql "
                    + "(three digits, lower-case table name), e.g. 001_l7_request_log.sql");
        }
        String normalized = DdlRenderer.normalize(text);
        String table = name.group(2);
        for (ClickHouseDialect dialect : ClickHouseDialect.values()) {
            // rendering both dialects up front finds bad placeholders before anything is applied anywhere
            DdlRenderer.render(fileName, normalized, "db", dialect);
        }
        List<String> statements =
                DdlRenderer.splitStatements(fileName, DdlRenderer.stripComments(fileName, normalized));
        if (statements.size() != 1) {
            throw new DdlTemplateException(fileName + ": expected exactly one statement, found " + statements.size());
        }
        String statement = statements.get(0);
        Matcher create = CREATE.matcher(statement);
        if (!create.lookingAt()) {
            throw new DdlTemplateException(fileName + ": the statement must start with "
                    + "'CREATE TABLE IF NOT EXISTS {{db}}." + table + " (', found '"
                    + statement.lines().findFirst().orElse("") + "'");
        }
        if (!create.group(1).toLowerCase(Locale.ROOT).equals(table)) {
            throw new DdlTemplateException(fileName + ": creates table '" + create.group(1)
                    + "' but the file name says '" + table + "'");
        }
        if (!ENGINE.matcher(statement).find()) {
            throw new DdlTemplateException(fileName + ": no ') ENGINE = …' after the column list");
        }
        return new MigrationFile(Integer.parseInt(name.group(1)), fileName, table, normalized,
                DdlRenderer.checksum(normalized));
    }

    /** The one statement of this file for {@code database} and {@code dialect}. */
    public String render(String database, ClickHouseDialect dialect) {
        return DdlRenderer.render(fileName, text, database, dialect).get(0);
    }
}
