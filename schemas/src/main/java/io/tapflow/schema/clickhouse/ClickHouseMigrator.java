package io.tapflow.schema.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.command.CommandResponse;
import com.clickhouse.client.api.query.QueryResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies DDL files to a ClickHouse database with client-v2, each once.
 *
 * <ol>
 *   <li>Detects the dialect from {@code SELECT version()} (major &lt; 21 → LEGACY) unless one is given.</li>
 *   <li>{@code CREATE DATABASE IF NOT EXISTS} and the bookkeeping table {@code <db>.schema_migrations}
 *       (version, file, checksum, dialect, applied_at).</li>
 *   <li>Compares every already-applied file with its row: a changed checksum (or a different file name for the same
 *       version) is handled by the {@link ChecksumPolicy} — by default nothing is applied and
 *       {@link ChecksumMismatchException} lists the files.</li>
 *   <li>Renders and executes each pending file in version order, then records it. A file that fails stops the run;
 *       the files before it stay recorded.</li>
 * </ol>
 *
 * Applying the same set twice is a no-op. Not safe against two migrators racing on one database (run it from one
 * place: {@code ./tapflow}, a deploy job).
 *
 * <p>Only plain statements and queries that name their own FORMAT are used, so this works with ClickHouse 18.16
 * (which rejects client-v2's binary formats) as well as current servers.
 */
public final class ClickHouseMigrator {

    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseMigrator.class);
    public static final String MIGRATIONS_TABLE = "schema_migrations";
    private static final long TIMEOUT_SECONDS = 120;

    private final Client client;
    private final String database;
    private final ClickHouseDialect forcedDialect;
    private final ChecksumPolicy checksumPolicy;

    /**
     * @param client  a client-v2 client (compression off for 18.16) whose default database exists already
     *                (e.g. {@code default}: the target database may not exist yet); not closed here
     * @param dialect null to detect it from the server
     */
    public ClickHouseMigrator(Client client, String database, ClickHouseDialect dialect, ChecksumPolicy policy) {
        this.client = client;
        this.database = DdlRenderer.requireDatabaseName(database);
        this.forcedDialect = dialect;
        this.checksumPolicy = policy;
    }

    /** A row of {@code schema_migrations}. */
    public record Applied(int version, String file, String checksum, String dialect, String appliedAt) {}

    /** A file whose text differs from what was applied under its version. */
    public record Changed(MigrationFile file, Applied applied) {
        public String describe() {
            return "  " + file.fileName() + ": applied " + applied.appliedAt() + " as " + applied.file()
                    + " with checksum " + applied.checksum() + ", now " + file.checksum();
        }
    }

    /** What a run did. */
    public record Report(ClickHouseDialect dialect, List<MigrationFile> applied, List<MigrationFile> alreadyApplied,
                         List<Changed> changed, List<Applied> unknown) {}

    /** The dialect this migrator renders for: the forced one, or the server's. */
    public ClickHouseDialect dialect() {
        if (forcedDialect != null) {
            return forcedDialect;
        }
        String version = queryText("SELECT version() FORMAT TabSeparated").trim();
        ClickHouseDialect d = ClickHouseDialect.forVersion(version);
        LOG.info("ClickHouse {} → dialect {}", version, d);
        return d;
    }

    public Report migrate(List<MigrationFile> files) {
        ClickHouseDialect dialect = dialect();
        execute("CREATE DATABASE IF NOT EXISTS " + database);
        execute("CREATE TABLE IF NOT EXISTS " + database + "." + MIGRATIONS_TABLE + " (version UInt32, file String, "
                + "checksum String, dialect String, applied_at DateTime) ENGINE = MergeTree ORDER BY version");
        Map<Integer, Applied> appliedByVersion = new LinkedHashMap<>();
        for (Applied a : applied()) {
            appliedByVersion.putIfAbsent(a.version(), a); // a racing duplicate: the first row counts
        }

        List<MigrationFile> pending = new ArrayList<>();
        List<MigrationFile> done = new ArrayList<>();
        List<Changed> changed = new ArrayList<>();
        Map<Integer, Applied> unknown = new LinkedHashMap<>(appliedByVersion);
        for (MigrationFile f : files) {
            Applied a = appliedByVersion.get(f.version());
            unknown.remove(f.version());
            if (a == null) {
                pending.add(f);
            } else {
                done.add(f);
                if (!a.checksum().equals(f.checksum()) || !a.file().equals(f.fileName())) {
                    changed.add(new Changed(f, a));
                }
            }
        }
        for (Applied u : unknown.values()) {
            LOG.warn("{}.{} records {} (version {}) which is not among the DDL files of this build", database,
                    MIGRATIONS_TABLE, u.file(), u.version());
        }
        if (!changed.isEmpty()) {
            if (checksumPolicy == ChecksumPolicy.FAIL) {
                throw new ChecksumMismatchException(database, changed);
            }
            for (Changed c : changed) {
                LOG.warn("DDL changed after it was applied (kept the existing table):{}", c.describe().substring(1));
            }
        }

        List<MigrationFile> applied = new ArrayList<>();
        for (MigrationFile f : pending) {
            String sql = f.render(database, dialect);
            long t0 = System.nanoTime();
            try {
                execute(sql);
            } catch (RuntimeException e) {
                throw new IllegalStateException("applying " + f.fileName() + " to " + database + " (" + dialect
                        + ") failed: " + e.getMessage() + "\nstatement:\n" + sql, e);
            }
            record(f, dialect);
            applied.add(f);
            LOG.info("applied {} → {}.{} ({}, {} ms)", f.fileName(), database, f.table(), dialect,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }
        LOG.info("ClickHouse database {}: {} applied, {} already applied, {} changed", database, applied.size(),
                done.size(), changed.size());
        return new Report(dialect, List.copyOf(applied), List.copyOf(done), List.copyOf(changed),
                List.copyOf(unknown.values()));
    }

    /** The rows of {@code schema_migrations}, by version. */
    public List<Applied> applied() {
        String tsv = queryText("SELECT version, file, checksum, dialect, toString(applied_at) FROM " + database + "."
                + MIGRATIONS_TABLE + " ORDER BY version, applied_at FORMAT TabSeparated");
        List<Applied> rows = new ArrayList<>();
        for (String line : tsv.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length != 5) {
                throw new IllegalStateException("unexpected row in " + database + "." + MIGRATIONS_TABLE + ": " + line);
            }
            rows.add(new Applied(Integer.parseInt(f[0]), f[1], f[2], f[3], f[4]));
        }
        return rows;
    }

    private void record(MigrationFile f, ClickHouseDialect dialect) {
        // every value is validated to need no escaping (file-name pattern, hex checksum, enum); now() is the server's
        execute("INSERT INTO " + database + "." + MIGRATIONS_TABLE + " (version, file, checksum, dialect, applied_at) "
                + "SELECT " + f.version() + ", '" + f.fileName() + "', '" + f.checksum() + "', '" + dialect.name()
                + "', now()");
    }

    private void execute(String sql) {
        try (CommandResponse ignored = await(client.execute(sql), sql)) {
            // executed
        } catch (Exception e) {
            throw failure(sql, e);
        }
    }

    private String queryText(String sql) {
        try (QueryResponse r = await(client.query(sql), sql)) {
            return new String(r.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw failure(sql, e);
        }
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> future, String what) throws Exception {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new TimeoutException("no answer within " + TIMEOUT_SECONDS + " s: " + what);
        }
    }

    private static RuntimeException failure(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        if (e instanceof IllegalStateException ise && ise.getMessage() != null && ise.getMessage().contains(what)) {
            return ise;
        }
        return new IllegalStateException("ClickHouse: " + e.getMessage() + "\nwhile: " + what, e);
    }
}
