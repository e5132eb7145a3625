package io.tapflow.localstack.registry;

import java.util.Locale;

/** Confluent's compatibility levels. BACKWARD: the new schema reads old data; FORWARD: old schemas read new data. */
public enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    private final boolean backward;
    private final boolean forward;
    private final boolean transitive;

    CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    /** The new schema must be able to read data written with the earlier one(s). */
    public boolean backward() {
        return backward;
    }

    /** The earlier schema(s) must be able to read data written with the new one. */
    public boolean forward() {
        return forward;
    }

    /** Checked against every earlier version, not just the latest. */
    public boolean transitive() {
        return transitive;
    }

    /** Parses a level name, case-insensitively; null if there is no such level. */
    public static CompatibilityLevel parse(String name) {
        if (name == null) {
            return null;
        }
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
