package io.tapflow.collector.bpf;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Child-JVM client for the ITCases: one GET with the JDK HttpClient (HTTP/1.1), prints status and body. */
public final class HttpGetMain {

    private HttpGetMain() {}

    public static void main(String[] args) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create(args[0])).GET().build(), HttpResponse.BodyHandlers.ofString());
        System.out.print(response.statusCode() + " " + response.body());
    }
}
