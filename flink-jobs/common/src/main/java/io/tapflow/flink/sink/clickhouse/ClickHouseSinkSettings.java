package io.tapflow.flink.sink.clickhouse;

import io.tapflow.schema.retry.RetryPolicy;
import java.io.Serializable;
import java.time.Duration;

/**
 * Where and how the writer inserts; travels with the sink into the job graph. {@link #toString()} leaves the
 * password out, and nothing else prints it.
 */
final class ClickHouseSinkSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String endpoint;
    private final String database;
    private final String table;
    private final String username;
    private final String password;
    private final Duration requestTimeout;
    private final Duration connectTimeout;
    private final RetryPolicy retryPolicy;

    ClickHouseSinkSettings(String endpoint, String database, String table, String username, String password,
            Duration requestTimeout, Duration connectTimeout, RetryPolicy retryPolicy) {
        this.endpoint = endpoint;
        this.database = database;
        this.table = table;
        this.username = username;
        this.password = password;
        this.requestTimeout = requestTimeout;
        this.connectTimeout = connectTimeout;
        this.retryPolicy = retryPolicy;
    }

    String endpoint() {
        return endpoint;
    }

    String database() {
        return database;
    }

    /**
     * {@code database.table}: client-v2 sends the database as an X-ClickHouse-Database header that ClickHouse 18.16
     * ignores, so the insert names it itself. Both are validated identifiers, so no quoting is needed.
     */
    String qualifiedTable() {
        return database + "." + table;
    }

    String username() {
        return username;
    }

    String password() {
        return password;
    }

    Duration requestTimeout() {
        return requestTimeout;
    }

    Duration connectTimeout() {
        return connectTimeout;
    }

    RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    @Override
    public String toString() {
        return "ClickHouseSinkSettings{endpoint=" + endpoint + ", table=" + qualifiedTable() + ", user=" + username
                + ", password=***, requestTimeout=" + requestTimeout + ", maxAttempts=" + retryPolicy.maxAttempts()
                + "}";
    }
}
