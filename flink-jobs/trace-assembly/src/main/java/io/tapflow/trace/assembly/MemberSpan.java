package io.tapflow.trace.assembly;

import io.tapflow.schema.RequestLog;
import java.io.Serializable;

/**
 * One request log on its way to the builder of its trace: which trace ({@code traceKey}), which emission of it
 * ({@code updateSeq}, {@code memberCount} logs in all) and whether this log is in one of the trace's emissions for
 * the first time (service-map edges count each request once).
 */
public record MemberSpan(String traceKey, long updateSeq, int memberCount, boolean completionPassed,
        boolean firstEmission, RequestLog log) implements Serializable {
}
