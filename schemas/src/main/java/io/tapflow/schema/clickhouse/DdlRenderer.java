package io.tapflow.schema.clickhouse;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Pure text work on DDL templates: comment stripping, placeholder substitution, statement splitting, checksums.
 *
 * <p>Placeholders (the contract with the DDL files):
 *
 * <table>
 *   <tr><th>token</th><th>MODERN</th><th>LEGACY</th></tr>
 *   <tr><td>{@code {{db}}}</td><td colspan="2">the database name</td></tr>
 *   <tr><td>{@code {{LC:T}}}</td><td>{@code LowCardinality(T)}</td><td>{@code T}</td></tr>
 *   <tr><td>{@code {{CODEC:spec}}}</td><td>{@code " CODEC(spec)"} (leading space)</td><td>empty</td></tr>
 *   <tr><td>{@code {{TTL:expr}}}</td><td>{@code TTL expr}</td><td>empty</td></tr>
 * </table>
 *
 * Any other token between double braces, an opening pair without a closing one, a stray closing pair or an empty
 * argument is a {@link DdlTemplateException} naming the file and line. Placeholders inside comments are ignored (comments are stripped first); inside string
 * literals they are substituted like anywhere else.
 */
public final class DdlRenderer {

    private static final Pattern DATABASE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private DdlRenderer() {}

    /**
     * Renders a template to its statements for {@code database} and {@code dialect}.
     *
     * @param source a name for error messages (the file name)
     */
    public static List<String> render(String source, String template, String database, ClickHouseDialect dialect) {
        requireDatabaseName(database);
        String stripped = stripComments(source, normalize(template));
        String rendered = substitute(source, stripped, database, dialect);
        return splitStatements(source, rendered);
    }

    /** Rejects database names that would need quoting (they are pasted into SQL). */
    public static String requireDatabaseName(String database) {
        if (database == null || !DATABASE_NAME.matcher(database).matches()) {
            throw new IllegalArgumentException("database name must match " + DATABASE_NAME + ", got '" + database
                    + "'");
        }
        return database;
    }

    /** Line endings to {@code \n} so a checkout with CRLF does not change checksums. */
    public static String normalize(String text) {
        return text.replace("\r\n", "\n").replace('\r', '\n');
    }

    /** SHA-256 (hex) of the file text with normalized line endings. */
    public static String checksum(String text) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(normalize(text).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }

    /**
     * Replaces {@code -- …} and {@code /* … *&#47;} comments outside string literals and quoted identifiers with
     * spaces, keeping every newline so line numbers stay those of the file.
     */
    public static String stripComments(String source, String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"' || c == '`') {
                int end = endOfQuoted(source, sql, i);
                out.append(sql, i, end);
                i = end;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                while (i < n && sql.charAt(i) != '\n') {
                    out.append(' ');
                    i++;
                }
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int close = sql.indexOf("*/", i + 2);
                if (close < 0) {
                    throw new DdlTemplateException(source + ":" + lineOf(sql, i) + ": unclosed /* comment");
                }
                for (int k = i; k < close + 2; k++) {
                    out.append(sql.charAt(k) == '\n' ? '\n' : ' ');
                }
                i = close + 2;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** Index just after the quoted literal or identifier that starts at {@code start}. */
    private static int endOfQuoted(String source, String sql, int start) {
        char q = sql.charAt(start);
        int i = start + 1;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == q) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == q) {
                    i += 2; // doubled quote
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        throw new DdlTemplateException(source + ":" + lineOf(sql, start) + ": unclosed " + q + " quote");
    }

    /** Substitutes the placeholders of a comment-free template. */
    public static String substitute(String source, String sql, String database, ClickHouseDialect dialect) {
        StringBuilder out = new StringBuilder(sql.length() + 64);
        int i = 0;
        while (true) {
            int open = sql.indexOf("{{", i);
            int strayClose = sql.indexOf("}}", i);
            if (strayClose >= 0 && (open < 0 || strayClose < open)) {
                throw new DdlTemplateException(source + ":" + lineOf(sql, strayClose)
                        + ": '}}' without an opening '{{'");
            }
            if (open < 0) {
                out.append(sql, i, sql.length());
                return out.toString();
            }
            out.append(sql, i, open);
            int close = sql.indexOf("}}", open + 2);
            int nestedOpen = sql.indexOf("{{", open + 2);
            if (close < 0 || (nestedOpen >= 0 && nestedOpen < close)) {
                throw new DdlTemplateException(source + ":" + lineOf(sql, open) + ": unclosed placeholder '"
                        + abbreviate(sql.substring(open)) + "'");
            }
            String token = sql.substring(open + 2, close);
            out.append(expand(source + ":" + lineOf(sql, open), token, database, dialect));
            i = close + 2;
        }
    }

    private static String expand(String where, String token, String database, ClickHouseDialect dialect) {
        if (token.equals("db")) {
            return database;
        }
        int colon = token.indexOf(':');
        String name = colon < 0 ? token : token.substring(0, colon);
        String arg = colon < 0 ? null : token.substring(colon + 1).trim();
        boolean known = name.equals("LC") || name.equals("CODEC") || name.equals("TTL");
        if (!known) {
            throw new DdlTemplateException(where + ": unknown placeholder '{{" + token
                    + "}}' (known: {{db}}, {{LC:T}}, {{CODEC:spec}}, {{TTL:expr}})");
        }
        if (arg == null || arg.isEmpty()) {
            throw new DdlTemplateException(where + ": placeholder '{{" + token + "}}' needs an argument: {{" + name
                    + ":…}}");
        }
        boolean modern = dialect == ClickHouseDialect.MODERN;
        switch (name) {
            case "LC":
                return modern ? "LowCardinality(" + arg + ")" : arg;
            case "CODEC":
                return modern ? " CODEC(" + arg + ")" : "";
            default: // TTL
                return modern ? "TTL " + arg : "";
        }
    }

    /** Splits on {@code ;} outside quotes; blank statements are dropped, the rest trimmed. */
    public static List<String> splitStatements(String source, String sql) {
        List<String> statements = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"' || c == '`') {
                i = endOfQuoted(source, sql, i);
            } else if (c == ';') {
                addIfNotBlank(statements, sql.substring(start, i));
                start = ++i;
            } else {
                i++;
            }
        }
        addIfNotBlank(statements, sql.substring(start));
        return statements;
    }

    private static void addIfNotBlank(List<String> statements, String s) {
        String t = s.strip();
        if (!t.isEmpty()) {
            statements.add(t);
        }
    }

    private static int lineOf(String text, int index) {
        int line = 1;
        for (int k = 0; k < index && k < text.length(); k++) {
            if (text.charAt(k) == '\n') {
                line++;
            }
        }
        return line;
    }

    private static String abbreviate(String s) {
        String firstLine = s.lines().findFirst().orElse("");
        return firstLine.length() > 40 ? firstLine.substring(0, 40) + "…" : firstLine;
    }
}
