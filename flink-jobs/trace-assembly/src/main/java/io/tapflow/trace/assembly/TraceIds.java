package io.tapflow.trace.assembly;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The ids trace-assembly makes up when the application propagated none: SHA-256 over a domain tag and a log id, so a
 * replay of the same request logs yields the same trace and span ids (and ClickHouse collapses the repeated rows).
 */
final class TraceIds {

    private TraceIds() {
    }

    /** 32 hex chars: a derived trace id, from the log id of the trace's earliest span. */
    static String traceId(String logId) {
        return hash("trace:", logId, 16);
    }

    /** 16 hex chars: a derived span id, from the span's own log id. */
    static String spanId(String logId) {
        return hash("span:", logId, 8);
    }

    private static String hash(String domain, String logId, int bytes) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(domain.getBytes(StandardCharsets.US_ASCII));
            byte[] d = sha.digest(logId.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM provides SHA-256", e);
        }
    }
}
