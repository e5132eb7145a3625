package io.tapflow.flink.sink.clickhouse;

import com.clickhouse.client.api.ClientException;
import com.clickhouse.client.api.ClientMisconfigurationException;
import com.clickhouse.client.api.ConnectionInitiationException;
import com.clickhouse.client.api.DataTransferException;
import com.clickhouse.client.api.ServerException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Decides whether a failed insert may succeed when sent again (retriable) or never will (fatal). Pure: it looks only
 * at the exception client-v2 gave us.
 *
 * <p>Order of the rules, first match wins:
 * <ol>
 *   <li>A ClickHouse error code, from {@link ServerException#getCode()} or, because ClickHouse 18.16 sends no
 *       {@code X-ClickHouse-Exception-Code} header (client-v2 then reports code 0), parsed from the
 *       {@code "Code: NN"} the server puts in front of its message. Codes in {@link #RETRIABLE_CODES} are transient
 *       server or cluster states; every other code is fatal, including codes we do not know: such an insert fails
 *       loudly and a person decides, instead of being repeated against a server that said no. The HTTP status is
 *       not used when a code is present — 18.16 answers a row it cannot parse with HTTP 500.</li>
 *   <li>A server answer without a code (a proxy or load balancer in front of ClickHouse): HTTP 408, 429 and 5xx
 *       except 501/505 are retriable, the rest fatal.</li>
 *   <li>TLS trouble ({@link SSLException}) and client misconfiguration: fatal.</li>
 *   <li>Transport trouble — connection refused/reset, no response, socket/connect timeouts, unknown host — found
 *       anywhere in the cause chain as an {@link IOException}, or client-v2's own {@link ConnectionInitiationException}
 *       / {@link DataTransferException}, or a 502 the client reports without status: retriable.</li>
 *   <li>Anything else (a bug in our code or the client): fatal.</li>
 * </ol>
 * A retriable failure after the server may already have written the batch (a timeout, a reset after the body was
 * sent) makes the retry write the rows twice; the tables are idempotent (deterministic ids, ReplacingMergeTree), so
 * that is the accepted at-least-once cost.
 */
final class ClickHouseErrorClassifier {

    /** ClickHouse error codes that describe a temporary state of the server or cluster, never of the rows. */
    static final Map<Integer, String> RETRIABLE_CODES = Map.ofEntries(
            Map.entry(97, "CANNOT_READ_ALL_DATA_FROM_CHUNKED_INPUT"), // our request body was cut in transit
            Map.entry(159, "TIMEOUT_EXCEEDED"),
            Map.entry(173, "CANNOT_ALLOCATE_MEMORY"),
            Map.entry(201, "QUOTA_EXPIRED"), // the quota interval ends
            Map.entry(202, "TOO_MANY_SIMULTANEOUS_QUERIES"),
            Map.entry(203, "NO_FREE_CONNECTION"),
            Map.entry(209, "SOCKET_TIMEOUT"),
            Map.entry(210, "NETWORK_ERROR"),
            Map.entry(225, "NO_ZOOKEEPER"),
            Map.entry(236, "ABORTED"),
            Map.entry(241, "MEMORY_LIMIT_EXCEEDED"),
            Map.entry(242, "TABLE_IS_READ_ONLY"), // a replica lost its ZooKeeper session
            Map.entry(243, "NOT_ENOUGH_SPACE"), // merges and TTL free space; bounded by max attempts anyway
            Map.entry(244, "UNEXPECTED_ZOOKEEPER_ERROR"),
            Map.entry(252, "TOO_MANY_PARTS"), // merges catch up; backing off is exactly what helps
            Map.entry(285, "TOO_FEW_LIVE_REPLICAS"),
            Map.entry(286, "UNSATISFIED_QUORUM_FOR_PREVIOUS_WRITE"),
            Map.entry(319, "UNKNOWN_STATUS_OF_INSERT"),
            Map.entry(364, "RECEIVED_ERROR_TOO_MANY_REQUESTS"),
            Map.entry(394, "QUERY_WAS_CANCELLED"), // a server shutting down cancels running inserts
            Map.entry(425, "SYSTEM_ERROR"),
            Map.entry(439, "CANNOT_SCHEDULE_TASK"),
            Map.entry(999, "KEEPER_EXCEPTION"),
            Map.entry(1000, "POCO_EXCEPTION")); // server-side network errors (reset, timeout)

    /** Fatal codes we expect to meet, named in messages; any code not in RETRIABLE_CODES is fatal too. */
    static final Map<Integer, String> KNOWN_FATAL_CODES = Map.ofEntries(
            Map.entry(6, "CANNOT_PARSE_TEXT"),
            Map.entry(16, "NO_SUCH_COLUMN_IN_TABLE"),
            Map.entry(26, "CANNOT_PARSE_QUOTED_STRING"),
            Map.entry(27, "CANNOT_PARSE_INPUT_ASSERTION_FAILED"),
            Map.entry(38, "CANNOT_PARSE_DATE"),
            Map.entry(41, "CANNOT_PARSE_DATETIME"),
            Map.entry(53, "TYPE_MISMATCH"),
            Map.entry(60, "UNKNOWN_TABLE"),
            Map.entry(62, "SYNTAX_ERROR"),
            Map.entry(69, "ARGUMENT_OUT_OF_BOUND"),
            Map.entry(70, "CANNOT_CONVERT_TYPE"),
            Map.entry(72, "CANNOT_PARSE_NUMBER"),
            Map.entry(73, "UNKNOWN_FORMAT"),
            Map.entry(81, "UNKNOWN_DATABASE"),
            Map.entry(115, "UNKNOWN_SETTING"),
            Map.entry(117, "INCORRECT_DATA"),
            Map.entry(131, "TOO_LARGE_STRING_SIZE"),
            Map.entry(164, "READONLY"),
            Map.entry(192, "UNKNOWN_USER"),
            Map.entry(193, "WRONG_PASSWORD"),
            Map.entry(194, "REQUIRED_PASSWORD"),
            Map.entry(195, "IP_ADDRESS_NOT_ALLOWED"),
            Map.entry(291, "DATABASE_ACCESS_DENIED"),
            Map.entry(349, "CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN"),
            Map.entry(376, "CANNOT_PARSE_UUID"),
            Map.entry(497, "ACCESS_DENIED"),
            Map.entry(516, "AUTHENTICATION_FAILED"));

    /** "Code: 27, e.displayText() = DB::Exception: …" (18.16) or "Code: 27. DB::Exception: …" (current servers). */
    private static final Pattern CODE = Pattern.compile("\\bCode:\\s*(\\d{1,5})\\b");

    private ClickHouseErrorClassifier() {}

    /** The verdict on one failed insert. */
    record Verdict(boolean retriable, int code, String reason, String detail) {

        /** "code 27 CANNOT_PARSE_INPUT_ASSERTION_FAILED", "connection refused", "HTTP 503" … */
        @Override
        public String toString() {
            return (retriable ? "retriable: " : "fatal: ") + reason;
        }
    }

    static Verdict classify(Throwable failure) {
        Throwable error = unwrap(failure);
        ServerException server = find(error, ServerException.class);
        if (server != null) {
            return classifyServer(server);
        }
        SSLException tls = find(error, SSLException.class);
        if (tls != null) {
            return new Verdict(false, 0, "TLS failure", describe(error));
        }
        if (find(error, ClientMisconfigurationException.class) != null) {
            return new Verdict(false, 0, "client misconfiguration", describe(error));
        }
        IOException io = find(error, IOException.class);
        if (io != null) {
            return new Verdict(true, 0, io.getClass().getSimpleName(), describe(error));
        }
        if (error instanceof ConnectionInitiationException || error instanceof DataTransferException) {
            return new Verdict(true, 0, error.getClass().getSimpleName(), describe(error));
        }
        if (error instanceof ClientException && String.valueOf(error.getMessage()).contains("502 Bad gateway")) {
            // client-v2 turns a 502 into a bare ClientException with this text and no status
            return new Verdict(true, 0, "HTTP 502", describe(error));
        }
        if (find(error, TimeoutException.class) != null) {
            return new Verdict(true, 0, "timeout", describe(error));
        }
        return new Verdict(false, 0, "unexpected " + error.getClass().getName(), describe(error));
    }

    private static Verdict classifyServer(ServerException e) {
        String message = String.valueOf(e.getMessage());
        int code = e.getCode() > 0 ? e.getCode() : parseCode(message);
        if (code > 0) {
            String retriableName = RETRIABLE_CODES.get(code);
            if (retriableName != null) {
                return new Verdict(true, code, "code " + code + " " + retriableName, message);
            }
            String name = KNOWN_FATAL_CODES.getOrDefault(code, "(not a known transient error)");
            return new Verdict(false, code, "code " + code + " " + name, message);
        }
        int status = e.getTransportProtocolCode();
        boolean retriable = status == 408 || status == 429 || (status >= 500 && status != 501 && status != 505);
        return new Verdict(retriable, 0, "HTTP " + status + " without a ClickHouse error code", message);
    }

    static int parseCode(String message) {
        Matcher m = CODE.matcher(message);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static <E extends Throwable> E find(Throwable t, Class<E> type) {
        int depth = 0;
        for (Throwable e = t; e != null && depth < 20; e = e.getCause(), depth++) {
            if (type.isInstance(e)) {
                return type.cast(e);
            }
        }
        return null;
    }

    /** The message of every exception in the chain: client-v2 puts "Insert request failed" on top of the cause. */
    private static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder();
        int depth = 0;
        for (Throwable e = t; e != null && depth < 5; e = e.getCause(), depth++) {
            if (sb.length() > 0) {
                sb.append(" <- ");
            }
            sb.append(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
        }
        return sb.toString();
    }
}
