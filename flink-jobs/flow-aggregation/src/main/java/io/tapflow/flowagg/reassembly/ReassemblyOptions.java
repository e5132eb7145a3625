package io.tapflow.flowagg.reassembly;

import io.tapflow.protocols.ParserOptions;
import java.io.Serializable;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of {@link FlowReassembler}. All durations are event time: the reassembler acts when the watermark (the
 * syscall clock of the slowest input) passes a deadline, so a replay of the same input behaves identically.
 *
 * @param requestTimeout     a request without a response for this long is emitted as TIMEOUT
 * @param idleTimeout        a flow without any event for this long is finished (close type TIMEOUT)
 * @param closeGrace         after a close event, how long to wait for data events still in flight on the other
 *                           topic before finishing the flow
 * @param flowLogInterval    interval of the non-final L4 flow log emissions of a long-lived flow
 * @param reorderWait        how long a hole in a direction's data_seq is waited for before it is skipped
 * @param maxHeldSegments    segments held per direction while waiting for a hole; more skip the hole at once
 * @param maxPendingRequests requests awaiting a response per flow; more expire the oldest as TIMEOUT
 * @param maxPayloadBytes    data events carrying more payload than this are dead letters (OVERSIZED); the
 *                           collector captures at most 4 KiB, so bigger ones come from a broken producer
 * @param detectionAttempts  payloads looked at before a flow's protocol is UNKNOWN for good
 * @param minConfidence      parser confidence needed to decide a flow's protocol
 * @param parserOptions      options of the protocol parsers
 * @param services           configured service names: process name (comm) or "ip:port" of a server → service
 */
public record ReassemblyOptions(
        Duration requestTimeout,
        Duration idleTimeout,
        Duration closeGrace,
        Duration flowLogInterval,
        Duration reorderWait,
        int maxHeldSegments,
        int maxPendingRequests,
        int maxPayloadBytes,
        int detectionAttempts,
        int minConfidence,
        ParserOptions parserOptions,
        Map<String, String> services) implements Serializable {

    public ReassemblyOptions {
        positive(requestTimeout, "request timeout");
        positive(idleTimeout, "idle timeout");
        Objects.requireNonNull(closeGrace, "closeGrace");
        positive(flowLogInterval, "flow log interval");
        Objects.requireNonNull(reorderWait, "reorderWait");
        if (maxHeldSegments < 1 || maxPendingRequests < 1 || maxPayloadBytes < 1 || detectionAttempts < 1) {
            throw new IllegalArgumentException("held segments, pending requests, payload bytes and detection"
                    + " attempts must be >= 1");
        }
        Objects.requireNonNull(parserOptions, "parserOptions");
        services = Map.copyOf(Objects.requireNonNull(services, "services"));
    }

    public static ReassemblyOptions defaults() {
        return new ReassemblyOptions(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofSeconds(2),
                Duration.ofMinutes(1), Duration.ofMillis(500), 64, 1024, 64 * 1024, 8, 60,
                ParserOptions.DEFAULTS, Map.of());
    }

    public ReassemblyOptions withTimeouts(Duration request, Duration idle) {
        return new ReassemblyOptions(request, idle, closeGrace, flowLogInterval, reorderWait, maxHeldSegments,
                maxPendingRequests, maxPayloadBytes, detectionAttempts, minConfidence, parserOptions, services);
    }

    public ReassemblyOptions withServices(Map<String, String> names) {
        return new ReassemblyOptions(requestTimeout, idleTimeout, closeGrace, flowLogInterval, reorderWait,
                maxHeldSegments, maxPendingRequests, maxPayloadBytes, detectionAttempts, minConfidence, parserOptions,
                names);
    }

    private static void positive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, was " + d);
        }
    }
}
