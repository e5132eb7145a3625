package io.tapflow.localstack.process;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Tells whether a started server is ready. Exceptions count as "not yet". */
public interface HealthCheck {

    boolean ready() throws Exception;

    /** Shown in the error when the server never became ready, e.g. "GET http://127.0.0.1:8123/ping = Ok.". */
    String describe();

    /** Ready when {@code GET url} answers 200 and its body, trimmed, starts with {@code expectedBodyPrefix}. */
    static HealthCheck httpGet(URI url, String expectedBodyPrefix) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        return new HealthCheck() {
            @Override
            public boolean ready() throws Exception {
                HttpResponse<String> r = client.send(
                        HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(2)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200 && r.body().trim().startsWith(expectedBodyPrefix);
            }

            @Override
            public String describe() {
                return "GET " + url + " = 200 \"" + expectedBodyPrefix + "…\"";
            }
        };
    }
}
