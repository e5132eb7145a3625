package io.tapflow.localstack.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The registry's in-memory state, rebuilt from {@code _schemas} on start-up and updated after each acknowledged
 * write. Every method is synchronized: writes are rare and reads are map lookups.
 */
final class SchemaStore {

    /** One registered version. {@code schema} is Avro's canonical {@code toString()} of the parsed schema. */
    record Version(String subject, int version, int id, String schema) {
    }

    private final Map<String, TreeMap<Integer, Version>> subjects = new TreeMap<>();
    private final Map<Integer, String> schemasById = new HashMap<>();
    private final Map<String, Integer> idsBySchema = new HashMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;
    private int maxId;

    synchronized void apply(Version version) {
        subjects.computeIfAbsent(version.subject(), s -> new TreeMap<>()).put(version.version(), version);
        schemasById.putIfAbsent(version.id(), version.schema());
        idsBySchema.putIfAbsent(version.schema(), version.id());
        maxId = Math.max(maxId, version.id());
    }

    /** Sets the level of {@code subject}, or the global level when {@code subject} is null. */
    synchronized void applyLevel(String subject, CompatibilityLevel level) {
        if (subject == null) {
            globalLevel = level;
        } else {
            subjectLevels.put(subject, level);
        }
    }

    synchronized List<String> subjects() {
        return new ArrayList<>(subjects.keySet());
    }

    /** Versions of a subject, oldest first; empty if the subject does not exist. */
    synchronized List<Version> versions(String subject) {
        TreeMap<Integer, Version> versions = subjects.get(subject);
        return versions == null ? List.of() : new ArrayList<>(versions.values());
    }

    synchronized String schemaById(int id) {
        return schemasById.get(id);
    }

    /** The global id already given to this canonical schema text, or null. */
    synchronized Integer idOf(String canonicalSchema) {
        return idsBySchema.get(canonicalSchema);
    }

    synchronized int nextId() {
        return maxId + 1;
    }

    synchronized CompatibilityLevel globalLevel() {
        return globalLevel;
    }

    /** The subject's own level, or null if it has none. */
    synchronized CompatibilityLevel subjectLevel(String subject) {
        return subjectLevels.get(subject);
    }

    synchronized CompatibilityLevel effectiveLevel(String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }
}
