package io.tapflow.trace.component;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One connected set of request logs (a trace in the making) as {@link ComponentTracker} keeps it under its root.
 * Mutable, our own state class (Java-serialized).
 */
final class Component implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Log ids of the members, in the order they joined. */
    final List<String> members = new ArrayList<>();
    /** Latest event time (ms) of an edge that changed the component. */
    long lastChangeMs = Long.MIN_VALUE;
    /** Update seq of the last emission, -1 before the first. */
    long emittedSeq = -1;
    /** Changed since the last emission: an emission is due at {@link #deadlineMs}. */
    boolean open;
    /** Event time of the pending emission (when open) or of the purge (when not). */
    long deadlineMs;

    int size() {
        return members.size();
    }

    @Override
    public String toString() {
        return "Component{" + members.size() + " members, seq " + emittedSeq + (open ? ", open" : ", sealed")
                + " until " + deadlineMs + "}";
    }
}
