package io.tapflow.localstack.clickhouse;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Runs statements on any ClickHouse over its HTTP interface — the local runner's and ./tapflow query's: one SQL
 * statement that names its own FORMAT, the body back as text; ClickHouse's error text becomes the exception
 * message. The parameters are the ones 18.16 reads (it ignores client-v2's database header).
 */
public final class ClickHouseHttp {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String url;
    private final String database;
    private final String user;
    private final String password;

    /** {@code database} null: the server's default database. */
    public ClickHouseHttp(String url, String database, String user, String password) {
        this.url = url.replaceAll("/+$", "");
        this.database = database;
        this.user = user;
        this.password = password;
    }

    /** The response body of {@code sql} (which must end with its FORMAT clause to choose the shape). */
    public String query(String sql) {
        String params = "/?wait_end_of_query=1&user=" + URLEncoder.encode(user, StandardCharsets.UTF_8)
                + (database == null ? "" : "&database=" + URLEncoder.encode(database, StandardCharsets.UTF_8));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + params))
                .timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8));
        if (!password.isEmpty()) {
            request.header("X-ClickHouse-Key", password);
        }
        HttpResponse<String> response;
        try {
            response = send(request.build(), readOnly(sql));
        } catch (IOException e) {
            throw new IllegalStateException("ClickHouse at " + url + " is unreachable: " + e + "\nquery: " + sql, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during ClickHouse query: " + sql, e);
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("ClickHouse at " + url + " refused the query (HTTP "
                    + response.statusCode() + "): " + response.body().trim() + "\nquery: " + sql);
        }
        return response.body();
    }

    /**
     * Sends once, and a read a second time after an I/O error: the server closes an idle kept-alive connection
     * after its keep-alive timeout (3 s for 18.16), and a request that went out on it just then fails without an
     * answer ("header parser received no bytes"). A read can simply be asked again; anything else is not retried,
     * since it may have been applied.
     */
    private HttpResponse<String> send(HttpRequest request, boolean retry) throws IOException, InterruptedException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            if (!retry) {
                throw e;
            }
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }
    }

    /** A statement that only reads (SELECT, WITH … SELECT, SHOW, DESCRIBE, EXISTS): safe to send twice. */
    static boolean readOnly(String sql) {
        String head = sql.stripLeading();
        int end = 0;
        while (end < head.length() && Character.isLetter(head.charAt(end))) {
            end++;
        }
        return switch (head.substring(0, end).toUpperCase(java.util.Locale.ROOT)) {
            case "SELECT", "WITH", "SHOW", "DESCRIBE", "DESC", "EXISTS" -> true;
            default -> false;
        };
    }

    /** Rows of {@code sql} (without FORMAT) as tab-separated fields; \N is SQL NULL. */
    public List<String[]> rows(String sql) {
        return query(sql + " FORMAT TabSeparated").lines().filter(l -> !l.isEmpty())
                .map(l -> Arrays.stream(l.split("\t", -1)).map(ClickHouseHttp::unescape).toArray(String[]::new))
                .toList();
    }

    private static String unescape(String field) {
        if (field.equals("\\N")) {
            return null;
        }
        return field.replace("\\t", "\t").replace("\\n", "\n").replace("\\\\", "\\");
    }
}
