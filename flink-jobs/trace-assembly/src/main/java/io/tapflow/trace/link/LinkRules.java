package io.tapflow.trace.link;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The link rules of the job in parent-priority order: propagated context first (the application said so), then the
 * capture-level facts — tcp_seq pairs a server span with its caller, the syscall trace id pairs a client span with
 * the inbound request its thread served — and X-Request-ID last, as a correlation without a direction of its own.
 * The index of a rule in this list travels with its link keys.
 */
public final class LinkRules implements Serializable {

    private static final long serialVersionUID = 1L;

    private final List<SpanLinkRule> rules;

    public LinkRules(List<SpanLinkRule> rules) {
        this.rules = List.copyOf(Objects.requireNonNull(rules, "rules"));
    }

    /**
     * @param clockTolerance largest clock difference between agents that still links their spans
     * @param requireSameAddresses whether tcp_seq pairs must report the same 4-tuple at both ends (off behind NAT)
     */
    public static LinkRules defaults(Duration clockTolerance, boolean requireSameAddresses) {
        long toleranceUs = clockTolerance.toNanos() / 1000;
        return new LinkRules(List.of(new TraceContextRule(), new TcpSeqRule(toleranceUs, requireSameAddresses),
                new SyscallTraceIdRule(), new XRequestIdRule(toleranceUs)));
    }

    public List<SpanLinkRule> all() {
        return rules;
    }

    public SpanLinkRule get(int index) {
        return rules.get(index);
    }

    public int size() {
        return rules.size();
    }
}
