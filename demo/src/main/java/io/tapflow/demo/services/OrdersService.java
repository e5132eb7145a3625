package io.tapflow.demo.services;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Orders in PostgreSQL (pgjdbc, simple query protocol, on the worker thread): {@code GET /orders/{id}} is one
 * SELECT (404 when there is no row), {@code POST /orders?product={id}} one INSERT … RETURNING (201). The table is
 * filled at start, before the collector runs; each worker thread opens its own connection on its first request
 * (the capture sees it from its start), with every setting in the startup message so that the driver sends no
 * query of its own.
 */
final class OrdersService extends HttpService {

    static final int SEEDED_ORDERS = 50;
    private static final Pattern ORDER = Pattern.compile("/orders/(\\d+)");
    private static final Pattern PRODUCT = Pattern.compile("product=(\\d+)");

    private final String url;
    private final ThreadLocal<Connection> connection = new ThreadLocal<>();

    OrdersService(int postgresPort) throws SQLException {
        super("orders");
        // simple protocol: one Query message per statement, as psql sends (no Parse/Bind/Execute round trips)
        url = "jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres?user=postgres&preferQueryMode=simple"
                + "&ApplicationName=orders&assumeMinServerVersion=15&sslmode=disable";
        try (Connection seed = DriverManager.getConnection(url); Statement s = seed.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS orders (id serial PRIMARY KEY, product int NOT NULL,"
                    + " created timestamptz NOT NULL DEFAULT now())");
            s.execute("TRUNCATE orders RESTART IDENTITY");
            s.execute("INSERT INTO orders (product) SELECT g % " + CatalogService.PRODUCTS + " + 1 FROM"
                    + " generate_series(1, " + SEEDED_ORDERS + ") g");
        }
    }

    @Override
    protected Reply handle(String method, String path, String query, byte[] body) throws Exception {
        Matcher m;
        if (method.equals("GET") && (m = ORDER.matcher(path)).matches()) {
            String calls = connect();
            String row = one("SELECT id, product, created FROM orders WHERE id = " + Long.parseLong(m.group(1)));
            return (row == null ? Reply.json(404, "{\"error\":\"no such order\"}") : Reply.json(200, row))
                    .withDownstream(calls);
        }
        if (method.equals("POST") && path.equals("/orders") && query != null
                && (m = PRODUCT.matcher(query)).find()) {
            String calls = connect();
            return Reply.json(201, one("INSERT INTO orders (product) VALUES (" + Integer.parseInt(m.group(1))
                    + ") RETURNING id, product, created")).withDownstream(calls);
        }
        return Reply.json(404, "{\"error\":\"no route\"}");
    }

    /**
     * Opens this thread's connection when it has none; the calls to PostgreSQL this request makes: its query, and
     * the startup message of a new connection (a request on the wire like any other).
     */
    private String connect() throws SQLException {
        String query = called("orders", "postgres", "ok");
        if (connection.get() != null) {
            return query;
        }
        connection.set(DriverManager.getConnection(url));
        return calls(called("orders", "postgres", "ok"), query);
    }

    /** The first row of {@code sql} as JSON, or null. */
    private String one(String sql) throws SQLException {
        Connection c = connection.get();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? "{\"id\":" + rs.getLong(1) + ",\"product\":" + rs.getInt(2) + ",\"created\":\""
                    + rs.getString(3) + "\"}" : null;
        }
    }
}
