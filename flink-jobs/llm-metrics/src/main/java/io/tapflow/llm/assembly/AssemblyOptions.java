package io.tapflow.llm.assembly;

import io.tapflow.llm.recognition.LlmEndpoints;
import io.tapflow.llm.recognition.TenantResolver;
import io.tapflow.protocols.ParserOptions;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of {@link LlmExchangeAssembler}. Durations are event time (the syscall clock), so a replay of the same
 * input behaves identically.
 *
 * @param endpoints        the LLM routes: a flow whose first request is on none of them is dropped
 * @param tenants          resolves and redacts the tenant of each request as soon as it is decoded
 * @param maxBodyBytes     body bytes kept per message (request JSON and non-streamed responses), at least 64 KiB
 * @param maxEvents        SSE events / NDJSON lines kept per response, at least 4096
 * @param exchangeTimeout  a request whose response has not ended this long after it started ends as TIMEOUT
 * @param idleTimeout      a flow without any event for this long is forgotten (an open exchange ends as TIMEOUT)
 * @param closeGrace       after a close event, how long data events still in flight on the other topic are waited
 *                         for before the flow ends (and a response still open is CUT)
 * @param reorderWait      how long a hole in a direction's data_seq is waited for before it counts as lost bytes
 * @param maxHeldSegments  segments held per direction while waiting for a hole; more count the hole as lost at once
 * @param maxPending       requests awaiting their response per flow; more end the oldest as TIMEOUT
 * @param maxPayloadBytes  data events carrying more payload than this are dead letters (OVERSIZED)
 */
public record AssemblyOptions(LlmEndpoints endpoints, TenantResolver tenants, int maxBodyBytes, int maxEvents,
                              Duration exchangeTimeout, Duration idleTimeout, Duration closeGrace,
                              Duration reorderWait, int maxHeldSegments, int maxPending, int maxPayloadBytes)
        implements Serializable {

    public static final int MIN_BODY_BYTES = 64 * 1024;
    public static final int MIN_EVENTS = 4096;

    public AssemblyOptions {
        Objects.requireNonNull(endpoints, "endpoints");
        Objects.requireNonNull(tenants, "tenants");
        if (maxBodyBytes < MIN_BODY_BYTES || maxEvents < MIN_EVENTS) {
            throw new IllegalArgumentException("LLM bodies need maxBodyBytes >= " + MIN_BODY_BYTES
                    + " and maxEvents >= " + MIN_EVENTS + ", got " + maxBodyBytes + " and " + maxEvents);
        }
        positive(exchangeTimeout, "exchange timeout");
        positive(idleTimeout, "idle timeout");
        Objects.requireNonNull(closeGrace, "closeGrace");
        Objects.requireNonNull(reorderWait, "reorderWait");
        if (maxHeldSegments < 1 || maxPending < 1 || maxPayloadBytes < 1) {
            throw new IllegalArgumentException("held segments, pending requests and payload bytes must be >= 1");
        }
    }

    /** Defaults: 10 min exchange timeout, 15 min idle, 2 s close grace, 500 ms reorder wait. */
    public static AssemblyOptions defaults(LlmEndpoints endpoints, TenantResolver tenants) {
        return new AssemblyOptions(endpoints, tenants, MIN_BODY_BYTES, MIN_EVENTS, Duration.ofMinutes(10),
                Duration.ofMinutes(15), Duration.ofSeconds(2), Duration.ofMillis(500), 256, 64, 64 * 1024);
    }

    public AssemblyOptions withTimeouts(Duration exchange, Duration idle, Duration grace) {
        return new AssemblyOptions(endpoints, tenants, maxBodyBytes, maxEvents, exchange, idle, grace, reorderWait,
                maxHeldSegments, maxPending, maxPayloadBytes);
    }

    /** The HTTP/1 parser's options: bodies and events kept, the tenant headers copied. */
    public ParserOptions parserOptions() {
        return new ParserOptions(ParserOptions.DEFAULTS.maxBufferedBytes(), maxBodyBytes, maxEvents,
                tenants.headersToCapture(), ParserOptions.DEFAULTS.requestIdHeader());
    }

    private static void positive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, was " + d);
        }
    }
}
