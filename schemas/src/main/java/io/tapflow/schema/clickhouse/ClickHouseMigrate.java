package io.tapflow.schema.clickhouse;

import com.clickhouse.client.api.Client;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Command line of the migration runner, called by {@code ./tapflow}:
 *
 * <pre>
 * java -cp … io.tapflow.schema.clickhouse.ClickHouseMigrate --url http://127.0.0.1:8123 --database tapflow
 *     [--user default] [--dialect auto|legacy|modern] [--on-changed fail|warn] [--ddl-dir DIR] [--password-env VAR]
 * </pre>
 *
 * The password is read from the environment variable {@value #PASSWORD_ENV} (or the one {@code --password-env}
 * names), never from a flag: flags show up in {@code ps}. Without {@code --ddl-dir} the DDL shipped on the classpath
 * ({@code clickhouse/NNN_<table>.sql}) is applied. Exit codes: 0 done, 1 failed, 2 usage.
 */
public final class ClickHouseMigrate {

    public static final String PASSWORD_ENV = "TAPFLOW_CLICKHOUSE_PASSWORD";
    private static final String USAGE = "usage: ClickHouseMigrate --url URL --database DB [--user USER] "
            + "[--dialect auto|legacy|modern] [--on-changed fail|warn] [--ddl-dir DIR] [--password-env VAR]\n"
            + "  the password comes from $" + PASSWORD_ENV + " (or the variable --password-env names)";

    private ClickHouseMigrate() {}

    public static void main(String[] args) {
        System.exit(run(args, System.getenv()));
    }

    /** {@link #main} without the exit, for tests and callers in the same JVM. */
    public static int run(String[] args, Map<String, String> env) {
        Map<String, String> opts;
        ClickHouseDialect dialect;
        ChecksumPolicy policy;
        try {
            opts = parse(args);
            dialect = ClickHouseDialect.parseOrAuto(opts.getOrDefault("dialect", "auto"));
            policy = ChecksumPolicy.valueOf(opts.getOrDefault("on-changed", "fail").toUpperCase(Locale.ROOT));
            if (!opts.containsKey("url") || !opts.containsKey("database")) {
                throw new IllegalArgumentException("--url and --database are required");
            }
            DdlRenderer.requireDatabaseName(opts.get("database"));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            return 2;
        }
        String password = env.getOrDefault(opts.getOrDefault("password-env", PASSWORD_ENV), "");
        try {
            List<MigrationFile> files = opts.containsKey("ddl-dir")
                    ? MigrationSource.fromDirectory(Path.of(opts.get("ddl-dir")))
                    : MigrationSource.tapflowDdl();
            if (files.isEmpty()) {
                System.err.println("no DDL files found ("
                        + (opts.containsKey("ddl-dir") ? opts.get("ddl-dir") : "classpath " + MigrationSource.DEFAULT_DIR
                        + "/") + "NNN_<table>.sql)");
                return 1;
            }
            try (Client client = new Client.Builder()
                    .addEndpoint(opts.get("url"))
                    .setUsername(opts.getOrDefault("user", "default"))
                    .setPassword(password)
                    .compressServerResponse(false)
                    .compressClientRequest(false)
                    .build()) {
                ClickHouseMigrator.Report report =
                        new ClickHouseMigrator(client, opts.get("database"), dialect, policy).migrate(files);
                for (MigrationFile f : report.applied()) {
                    System.out.println("applied  " + f.fileName());
                }
                for (ClickHouseMigrator.Changed c : report.changed()) {
                    System.out.println("CHANGED " + c.describe().strip());
                }
                System.out.printf("ClickHouse %s database %s (%s): %d applied, %d already applied, %d changed%n",
                        opts.get("url"), opts.get("database"), report.dialect(), report.applied().size(),
                        report.alreadyApplied().size(), report.changed().size());
                return 0;
            }
        } catch (RuntimeException e) {
            System.err.println("migration failed: " + e.getMessage() + rootCause(e));
            return 1;
        }
    }

    /** client-v2 wraps "connection refused" and the like several levels deep; users need that line. */
    private static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? "" : System.lineSeparator() + "caused by: " + root;
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>();
        List<String> known = List.of("url", "database", "user", "dialect", "on-changed", "ddl-dir", "password-env");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'");
            }
            String key = a.substring(2);
            String value;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException(a + " needs a value");
            }
            if (key.equals("password")) {
                throw new IllegalArgumentException("--password is not accepted (it would show in ps); set $"
                        + PASSWORD_ENV);
            }
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown option --" + key);
            }
            opts.put(key, value);
        }
        return opts;
    }
}
