package io.tapflow.flink.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.clickhouse.client.api.ClientException;
import com.clickhouse.client.api.ClientMisconfigurationException;
import com.clickhouse.client.api.ConnectionInitiationException;
import com.clickhouse.client.api.DataTransferException;
import com.clickhouse.client.api.ServerException;
import com.clickhouse.client.api.TransportException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The classification table. Server messages in the 18.16 shape are the ones client-v2 0.10.0 produced against the
 * real Debian 18.16 server (code 0 in the exception, the code only in the text, HTTP status as 18.16 chose it).
 */
class ClickHouseErrorClassifierTest {

    /** What client-v2 builds from an 18.16 error answer. */
    private static ServerException legacy(int code, String text, int httpStatus) {
        return new ServerException(0, "Code: " + code + ", e.displayText() = DB::Exception: " + text
                + ", e.what() = DB::Exception (transport error: " + httpStatus + ")", httpStatus, "q");
    }

    /** What client-v2 builds from a current server, which sends X-ClickHouse-Exception-Code. */
    private static ServerException modern(int code, String text, int httpStatus) {
        return new ServerException(code, "Code: " + code + ". DB::Exception: " + text + " (queryId= q)",
                httpStatus, "q");
    }

    static Stream<Arguments> table() {
        return Stream.of(
                // transient server states: retriable whatever the HTTP status
                Arguments.of(modern(252, "Too many parts (300). Merges are processing significantly slower", 500),
                        true, 252),
                Arguments.of(legacy(252, "Too many parts (300)", 500), true, 252),
                Arguments.of(modern(159, "Timeout exceeded: elapsed 30.1 seconds", 500), true, 159),
                Arguments.of(modern(210, "Connection reset by peer", 500), true, 210),
                Arguments.of(modern(241, "Memory limit (total) exceeded", 500), true, 241),
                Arguments.of(modern(202, "Too many simultaneous queries", 500), true, 202),
                Arguments.of(modern(242, "Table is in readonly mode", 500), true, 242),
                Arguments.of(modern(394, "Query was cancelled", 500), true, 394),
                // the rows or the configuration are wrong: fatal, even where 18.16 says HTTP 500
                Arguments.of(legacy(27, "Cannot parse input: expected \" before: abc\",\"name\":\"a\"}\\n: (while "
                        + "read the value of key id): (at row 1)", 500), false, 27),
                Arguments.of(legacy(26, "Cannot parse JSON string: expected opening quote", 400), false, 26),
                Arguments.of(legacy(117, "Unknown field found while parsing JSONEachRow format: zzz", 500), false,
                        117),
                Arguments.of(legacy(72, "Unsigned type must not contain '-' symbol", 400), false, 72),
                Arguments.of(legacy(60, "Table x.nope doesn't exist.", 404), false, 60),
                Arguments.of(legacy(81, "Database nodb doesn't exist", 404), false, 81),
                Arguments.of(legacy(192, "Unknown user nobody", 401), false, 192),
                Arguments.of(legacy(193, "Wrong password for user default", 401), false, 193),
                Arguments.of(modern(516, "default: Authentication failed", 516), false, 516),
                Arguments.of(modern(16, "No such column zzz in table t", 400), false, 16),
                Arguments.of(modern(53, "Type mismatch", 400), false, 53),
                // a code we do not list: fail loudly rather than hammer a server that said no
                Arguments.of(modern(4242, "something new", 500), false, 4242),
                // no ClickHouse code (a proxy answered): by HTTP status
                Arguments.of(new ServerException(0, "Service Unavailable (transport error: 503)", 503, "q"), true, 0),
                Arguments.of(new ServerException(0, "Gateway Timeout (transport error: 504)", 504, "q"), true, 0),
                Arguments.of(new ServerException(0, "Too Many Requests (transport error: 429)", 429, "q"), true, 0),
                Arguments.of(new ServerException(0, "Internal Server Error (transport error: 500)", 500, "q"), true,
                        0),
                Arguments.of(new ServerException(0, "Not Implemented (transport error: 501)", 501, "q"), false, 0),
                Arguments.of(new ServerException(0, "Forbidden (transport error: 403)", 403, "q"), false, 0),
                Arguments.of(new ServerException(0, "Payload Too Large (transport error: 413)", 413, "q"), false, 0),
                // transport: what client-v2 0.10.0 threw against a stopped server, a reset and a silent listener
                Arguments.of(new ConnectionInitiationException("Insert request failed (attempt: 1)",
                        new ConnectException("Connection refused")), true, 0),
                Arguments.of(new DataTransferException("Insert request failed (attempt: 1)",
                        new SocketException("Connection reset by peer")), true, 0),
                Arguments.of(new DataTransferException("Insert request failed (attempt: 1)",
                        new SocketTimeoutException("Read timed out")), true, 0),
                Arguments.of(new DataTransferException("Insert request failed",
                        new NoHttpResponseException("127.0.0.1:8123 failed to respond")), true, 0),
                Arguments.of(new ConnectionInitiationException("Insert request failed",
                        new UnknownHostException("clickhouse")), true, 0),
                Arguments.of(new ClientException("Server returned '502 Bad gateway'. Check network and proxy "
                        + "settings."), true, 0),
                // configuration and bugs: fatal
                Arguments.of(new TransportException("SSL Problem", new SSLHandshakeException("PKIX path building "
                        + "failed"), "q"), false, 0),
                Arguments.of(new ClientMisconfigurationException("Proxy authentication required."), false, 0),
                Arguments.of(new NullPointerException("oops"), false, 0),
                Arguments.of(new ClientException("Unsupported format"), false, 0));
    }

    @ParameterizedTest(name = "[{index}] {0} -> retriable={1}")
    @MethodSource("table")
    void classifies(Throwable failure, boolean retriable, int code) {
        ClickHouseErrorClassifier.Verdict verdict = ClickHouseErrorClassifier.classify(failure);

        assertThat(verdict.retriable()).as("retriable: %s", verdict).isEqualTo(retriable);
        assertThat(verdict.code()).isEqualTo(code);
        // the server's text survives for the job failure message
        assertThat(verdict.detail()).contains(failure.getMessage());
    }

    @ParameterizedTest(name = "[{index}] {0} -> retriable={1}")
    @MethodSource("table")
    void seesThroughFutureWrappers(Throwable failure, boolean retriable, int code) {
        Throwable wrapped = new CompletionException(new ExecutionException(failure));

        ClickHouseErrorClassifier.Verdict verdict = ClickHouseErrorClassifier.classify(wrapped);

        assertThat(verdict.retriable()).isEqualTo(retriable);
        assertThat(verdict.code()).isEqualTo(code);
    }

    @Test
    void namesKnownCodesInTheReason() {
        assertThat(ClickHouseErrorClassifier.classify(modern(252, "Too many parts", 500)).reason())
                .isEqualTo("code 252 TOO_MANY_PARTS");
        assertThat(ClickHouseErrorClassifier.classify(legacy(60, "Table x.nope doesn't exist.", 404)).reason())
                .isEqualTo("code 60 UNKNOWN_TABLE");
    }

    @Test
    void parsesTheCodeOfBothMessageShapes() {
        assertThat(ClickHouseErrorClassifier.parseCode("Code: 27, e.displayText() = DB::Exception: x")).isEqualTo(27);
        assertThat(ClickHouseErrorClassifier.parseCode("Code: 252. DB::Exception: Too many parts")).isEqualTo(252);
        assertThat(ClickHouseErrorClassifier.parseCode("Service Unavailable")).isZero();
    }

    @Test
    void noCodeIsBothRetriableAndFatal() {
        assertThat(ClickHouseErrorClassifier.RETRIABLE_CODES.keySet())
                .doesNotContainAnyElementsOf(ClickHouseErrorClassifier.KNOWN_FATAL_CODES.keySet());
    }
}
