package io.tapflow.trace.component;

import java.util.Objects;

/**
 * Two request logs (by log id) found to belong to one trace, or one log with itself ({@link #member}) so that every
 * log becomes a member of some trace even when no rule links it. A Flink POJO: ids only, no payload, because all
 * edges of the job meet in one {@link ComponentTracker}.
 */
public final class SpanEdge {

    public String a;
    public String b;

    public SpanEdge() {
    }

    public SpanEdge(String a, String b) {
        this.a = Objects.requireNonNull(a, "a");
        this.b = Objects.requireNonNull(b, "b");
    }

    /** The edge that makes {@code logId} a member without linking it to anything. */
    public static SpanEdge member(String logId) {
        return new SpanEdge(logId, logId);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpanEdge e && Objects.equals(a, e.a) && Objects.equals(b, e.b);
    }

    @Override
    public int hashCode() {
        return Objects.hash(a, b);
    }

    @Override
    public String toString() {
        return a + "~" + b;
    }
}
