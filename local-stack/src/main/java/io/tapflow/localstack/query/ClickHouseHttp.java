package io.tapflow.localstack.query;

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
 * Queries any ClickHouse over its HTTP interface (what ./tapflow query reads): one SQL statement that names its own
 * FORMAT, the body back as text; ClickHouse's error text becomes the exception message.
 */
final class ClickHouseHttp {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String url;
    private final String database;
    private final String user;
    private final String password;

    ClickHouseHttp(String url, String database, String user, String password) {
        this.url = url.replaceAll("/+$", "");
        this.database = database;
        this.user = user;
        this.password = password;
    }

    /** The response body of {@code sql} (which must end with its FORMAT clause). */
    String query(String sql) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + "/?database="
                        + URLEncoder.encode(database, StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(60))
                .header("X-ClickHouse-User", user)
                .POST(HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8));
        if (!password.isEmpty()) {
            request.header("X-ClickHouse-Key", password);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("ClickHouse at " + url + " is unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while querying ClickHouse", e);
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("ClickHouse at " + url + " refused the query: "
                    + response.body().lines().findFirst().orElse("HTTP " + response.statusCode()));
        }
        return response.body();
    }

    /** Rows of {@code sql} (without FORMAT) as tab-separated fields; \N is SQL NULL. */
    List<String[]> rows(String sql) {
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
