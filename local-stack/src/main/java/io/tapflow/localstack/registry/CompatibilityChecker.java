package io.tapflow.localstack.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityResult;

/**
 * Decides whether a candidate schema may follow a subject's earlier versions under a {@link CompatibilityLevel},
 * using Avro's own {@link SchemaCompatibility} reader/writer rules. Pure: no state, no I/O.
 */
public final class CompatibilityChecker {

    private CompatibilityChecker() {
    }

    /**
     * @param earlier the subject's versions (version number → schema), oldest first; empty for a new subject
     * @return why {@code candidate} is incompatible, one message per problem; empty when it is compatible
     */
    public static List<String> check(CompatibilityLevel level, Schema candidate, SortedMap<Integer, Schema> earlier) {
        List<String> problems = new ArrayList<>();
        if (level == CompatibilityLevel.NONE || earlier.isEmpty()) {
            return problems;
        }
        SortedMap<Integer, Schema> against = level.transitive() ? earlier : earlier.tailMap(earlier.lastKey());
        for (Map.Entry<Integer, Schema> old : against.entrySet()) {
            if (level.backward()) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, old.getValue()).getResult(),
                        "new schema cannot read data written with", old.getKey(), level, problems);
            }
            if (level.forward()) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(old.getValue(), candidate).getResult(),
                        "data written with the new schema cannot be read by", old.getKey(), level, problems);
            }
        }
        return problems;
    }

    private static void describe(SchemaCompatibilityResult result, String direction, int oldVersion,
            CompatibilityLevel level, List<String> problems) {
        for (Incompatibility incompatibility : result.getIncompatibilities()) {
            problems.add("{errorType:'" + incompatibility.getType() + "', description:'" + direction + " version "
                    + oldVersion + ": " + incompatibility.getMessage() + "', location:'"
                    + incompatibility.getLocation() + "', oldSchemaVersion: " + oldVersion
                    + ", compatibility: '" + level + "'}");
        }
    }
}
