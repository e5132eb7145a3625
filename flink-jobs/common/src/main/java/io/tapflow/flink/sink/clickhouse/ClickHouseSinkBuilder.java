package io.tapflow.flink.sink.clickhouse;

import io.tapflow.schema.retry.RetryPolicy;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.flink.util.InstantiationUtil;

/**
 * Builds a {@link ClickHouseSink}. Endpoint, database, table, username, password and serializer have no default;
 * {@link #build()} checks everything at once and names every problem in one exception, before the job is submitted.
 *
 * <p>Defaults: 10,000 rows or 16 MiB per batch, 1 s in the buffer at most, 2 inserts in flight, 4 batches buffered,
 * 30 s request timeout, 10 s connect timeout, backoff 100 ms doubling to 10 s, 10 attempts (about 45 s of trying
 * before a persisting transient failure fails the job).
 *
 * @param <T> the stream element
 */
public final class ClickHouseSinkBuilder<T> {

    /**
     * ClickHouse cuts an insert into blocks of max_insert_block_size (1,048,576) rows; a bigger batch could be
     * written in part before an error, so batches stay below it.
     */
    public static final int MAX_BATCH_ROWS_LIMIT = 1_000_000;

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private String endpoint;
    private String database;
    private String table;
    private String username;
    private String password;
    private ClickHouseRowSerializer<T> serializer;
    private int maxBatchRows = 10_000;
    private long maxBatchBytes = 16L * 1024 * 1024;
    private Duration maxTimeInBuffer = Duration.ofSeconds(1);
    private int maxInFlightRequests = 2;
    private Integer maxBufferedRows;
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(10);
    private int maxAttempts = 10;
    private Duration requestTimeout = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(10);

    ClickHouseSinkBuilder() {}

    /** The HTTP interface, {@code http(s)://host:port}, without credentials or path. */
    public ClickHouseSinkBuilder<T> setEndpoint(String endpoint) {
        this.endpoint = endpoint;
        return this;
    }

    public ClickHouseSinkBuilder<T> setDatabase(String database) {
        this.database = database;
        return this;
    }

    public ClickHouseSinkBuilder<T> setTable(String table) {
        this.table = table;
        return this;
    }

    public ClickHouseSinkBuilder<T> setUsername(String username) {
        this.username = username;
        return this;
    }

    /** Required even when empty (a user without password): an unset password is a forgotten one. Never logged. */
    public ClickHouseSinkBuilder<T> setPassword(String password) {
        this.password = password;
        return this;
    }

    public ClickHouseSinkBuilder<T> setSerializer(ClickHouseRowSerializer<T> serializer) {
        this.serializer = serializer;
        return this;
    }

    /** Rows per insert, at most {@value #MAX_BATCH_ROWS_LIMIT}. Fewer, bigger inserts make fewer parts. */
    public ClickHouseSinkBuilder<T> setMaxBatchRows(int maxBatchRows) {
        this.maxBatchRows = maxBatchRows;
        return this;
    }

    /** Bytes per insert body; also the largest row accepted. */
    public ClickHouseSinkBuilder<T> setMaxBatchBytes(long maxBatchBytes) {
        this.maxBatchBytes = maxBatchBytes;
        return this;
    }

    /** How long a row may wait for its batch to fill. */
    public ClickHouseSinkBuilder<T> setMaxTimeInBuffer(Duration maxTimeInBuffer) {
        this.maxTimeInBuffer = maxTimeInBuffer;
        return this;
    }

    /** Concurrent inserts per writer (subtask); a batch waiting for its retry occupies one. */
    public ClickHouseSinkBuilder<T> setMaxInFlightRequests(int maxInFlightRequests) {
        this.maxInFlightRequests = maxInFlightRequests;
        return this;
    }

    /** Rows a writer buffers before it back-pressures; more than max batch rows. Default 4 × max batch rows. */
    public ClickHouseSinkBuilder<T> setMaxBufferedRows(int maxBufferedRows) {
        this.maxBufferedRows = maxBufferedRows;
        return this;
    }

    /** Wait before the first retry, doubling per failed attempt up to {@code max}. */
    public ClickHouseSinkBuilder<T> setRetryBackoff(Duration initial, Duration max) {
        this.initialBackoff = initial;
        this.maxBackoff = max;
        return this;
    }

    /** Sends of one batch, the first included, before a retriable failure fails the job. */
    public ClickHouseSinkBuilder<T> setMaxAttempts(int maxAttempts) {
        this.maxAttempts = maxAttempts;
        return this;
    }

    /** Socket timeout of one insert (waiting for the server's answer). */
    public ClickHouseSinkBuilder<T> setRequestTimeout(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
        return this;
    }

    public ClickHouseSinkBuilder<T> setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
        return this;
    }

    /**
     * The sink, or an {@link IllegalArgumentException} listing every invalid or missing setting.
     */
    public ClickHouseSink<T> build() {
        List<String> problems = new ArrayList<>();
        String normalizedEndpoint = checkEndpoint(problems);
        checkIdentifier(problems, "database", database);
        checkIdentifier(problems, "table", table);
        if (username == null || username.isBlank()) {
            problems.add("username is not set");
        }
        if (password == null) {
            problems.add("password is not set (use setPassword(\"\") for a user without one)");
        }
        checkSerializer(problems);
        int bufferedRows = maxBufferedRows != null ? maxBufferedRows : (int) Math.min(Integer.MAX_VALUE,
                4L * Math.max(1, maxBatchRows));
        if (maxBatchRows < 1 || maxBatchRows > MAX_BATCH_ROWS_LIMIT) {
            problems.add("maxBatchRows must be in 1.." + MAX_BATCH_ROWS_LIMIT + ", was " + maxBatchRows);
        }
        if (maxBatchBytes < 1) {
            problems.add("maxBatchBytes must be positive, was " + maxBatchBytes);
        }
        checkPositive(problems, "maxTimeInBuffer", maxTimeInBuffer);
        if (maxInFlightRequests < 1) {
            problems.add("maxInFlightRequests must be at least 1, was " + maxInFlightRequests);
        }
        if (bufferedRows <= maxBatchRows) {
            problems.add("maxBufferedRows must be greater than maxBatchRows (" + maxBatchRows + "), was "
                    + bufferedRows);
        }
        checkPositive(problems, "initial retry backoff", initialBackoff);
        checkPositive(problems, "max retry backoff", maxBackoff);
        if (initialBackoff != null && maxBackoff != null && maxBackoff.compareTo(initialBackoff) < 0) {
            problems.add("max retry backoff (" + maxBackoff + ") must not be shorter than the initial one ("
                    + initialBackoff + ")");
        }
        if (maxAttempts < 1) {
            problems.add("maxAttempts must be at least 1 (the first send counts), was " + maxAttempts);
        }
        checkPositive(problems, "requestTimeout", requestTimeout);
        checkPositive(problems, "connectTimeout", connectTimeout);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid ClickHouseSink configuration"
                    + (database != null && table != null ? " for table " + database + "." + table : "") + ": "
                    + String.join("; ", problems));
        }

        RetryPolicy retry = new RetryPolicy(maxAttempts, initialBackoff, maxBackoff);
        ClickHouseSinkSettings settings = new ClickHouseSinkSettings(normalizedEndpoint, database, table, username,
                password, requestTimeout, connectTimeout, retry);
        // the AsyncSinkWriter's own timeout is a last resort: it must not fire while the client may still answer
        // or the writer is backing off
        long requestTimeoutMs = requestTimeout.toMillis() + connectTimeout.toMillis() + maxBackoff.toMillis()
                + 60_000;
        return new ClickHouseSink<>(serializer, settings, maxBatchRows, maxInFlightRequests, bufferedRows,
                maxBatchBytes, maxTimeInBuffer.toMillis(), requestTimeoutMs);
    }

    private String checkEndpoint(List<String> problems) {
        if (endpoint == null || endpoint.isBlank()) {
            problems.add("endpoint is not set (http://host:8123)");
            return null;
        }
        URI uri;
        try {
            uri = new URI(endpoint.trim());
        } catch (URISyntaxException e) {
            problems.add("endpoint must be an http:// or https:// URL like http://host:8123, was '" + endpoint
                    + "' (" + e.getReason() + ")");
            return null;
        }
        if (uri.getRawUserInfo() != null) {
            // keeps credentials out of the URL, which ends up in logs and exception messages
            problems.add("endpoint must not carry credentials; use setUsername/setPassword");
            return null;
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            problems.add("endpoint must be an http:// or https:// URL like http://host:8123, was '" + endpoint
                    + "'");
        }
        if (uri.getHost() == null) {
            problems.add("endpoint has no host: " + endpoint);
        }
        String path = uri.getRawPath();
        if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            problems.add("endpoint must have no path, query or fragment (database and table are set separately), was "
                    + endpoint);
        }
        String normalized = endpoint.trim();
        return normalized.endsWith("/") ? normalized.substring(0, normalized.length() - 1) : normalized;
    }

    private static void checkIdentifier(List<String> problems, String what, String value) {
        if (value == null || value.isEmpty()) {
            problems.add(what + " is not set");
        } else if (!IDENTIFIER.matcher(value).matches()) {
            problems.add(what + " '" + value + "' is not a plain identifier ([A-Za-z_][A-Za-z0-9_]*)");
        }
    }

    private void checkSerializer(List<String> problems) {
        if (serializer == null) {
            problems.add("serializer is not set");
            return;
        }
        try {
            // Flink ships it to the task managers; failing here names the culprit before the job is submitted
            InstantiationUtil.serializeObject(serializer);
        } catch (Exception e) {
            problems.add("serializer " + serializer.getClass().getName() + " is not serializable: " + e);
        }
    }

    private static void checkPositive(List<String> problems, String what, Duration value) {
        if (value == null) {
            problems.add(what + " is not set");
        } else if (value.isNegative() || value.isZero()) {
            problems.add(what + " must be positive, was " + value);
        } else if (value.toMillis() == 0) {
            problems.add(what + " must be at least 1 ms, was " + value);
        }
    }
}
