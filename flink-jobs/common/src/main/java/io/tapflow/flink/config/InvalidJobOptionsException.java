package io.tapflow.flink.config;

import java.util.List;

/**
 * Every problem found in a job's options at once (unknown keys, unparsable values, missing required options,
 * unreadable config file), so a user fixes them in one round instead of one per start attempt.
 */
public final class InvalidJobOptionsException extends Exception {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public InvalidJobOptionsException(List<String> problems) {
        super("invalid job options (" + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + "):\n  - "
                + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One message per problem, in the order found. */
    public List<String> problems() {
        return problems;
    }
}
