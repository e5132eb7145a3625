package io.tapflow.trace.component;

import java.util.Objects;

/**
 * What {@link ComponentTracker} tells the holder of one request log: emit it as part of trace {@link #traceKey}'s
 * emission {@link #updateSeq}, which has {@link #memberCount} spans; or ({@link #release}) forget it, its trace will
 * not change again. A Flink POJO.
 *
 * <p>{@code traceKey} is the internal routing id of the trace (the smallest log id of its members, so it does not
 * depend on arrival order), not the trace id users see.
 */
public final class Membership {

    public String logId;
    public String traceKey;
    public long updateSeq;
    public int memberCount;
    /** True when the completion timeout passed; false when the trace was evicted early to bound state. */
    public boolean completionPassed;
    public boolean release;

    public Membership() {
    }

    public static Membership emit(String logId, String traceKey, long updateSeq, int memberCount,
            boolean completionPassed) {
        Membership m = new Membership();
        m.logId = logId;
        m.traceKey = traceKey;
        m.updateSeq = updateSeq;
        m.memberCount = memberCount;
        m.completionPassed = completionPassed;
        return m;
    }

    public static Membership release(String logId, String traceKey) {
        Membership m = new Membership();
        m.logId = logId;
        m.traceKey = traceKey;
        m.release = true;
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Membership m && Objects.equals(logId, m.logId) && Objects.equals(traceKey, m.traceKey)
                && updateSeq == m.updateSeq && memberCount == m.memberCount
                && completionPassed == m.completionPassed && release == m.release;
    }

    @Override
    public int hashCode() {
        return Objects.hash(logId, traceKey, updateSeq, memberCount, completionPassed, release);
    }

    @Override
    public String toString() {
        return release ? "release(" + logId + ")" : "member(" + logId + " of " + traceKey + "#" + updateSeq + "/"
                + memberCount + (completionPassed ? "" : ", evicted") + ")";
    }
}
