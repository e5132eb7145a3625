package io.tapflow.localstack.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** The compatibility rules of every level, as a pure function. */
class CompatibilityCheckerTest {

    private static Schema record(String fields) {
        return new Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"t\",\"fields\":[" + fields + "]}");
    }

    private static final Schema V1 = record("{\"name\":\"name\",\"type\":\"string\"},{\"name\":\"count\",\"type\":\"int\"}");
    private static final Schema ADD_OPTIONAL = record("{\"name\":\"name\",\"type\":\"string\"},"
            + "{\"name\":\"count\",\"type\":\"int\"},{\"name\":\"lang\",\"type\":[\"null\",\"string\"],\"default\":null}");
    private static final Schema ADD_REQUIRED = record("{\"name\":\"name\",\"type\":\"string\"},"
            + "{\"name\":\"count\",\"type\":\"int\"},{\"name\":\"lang\",\"type\":\"string\"}");
    private static final Schema DROP_COUNT = record("{\"name\":\"name\",\"type\":\"string\"}");
    private static final Schema COUNT_AS_STRING = record(
            "{\"name\":\"name\",\"type\":\"string\"},{\"name\":\"count\",\"type\":\"string\"}");

    private static SortedMap<Integer, Schema> history(Schema... schemas) {
        SortedMap<Integer, Schema> history = new TreeMap<>();
        for (int i = 0; i < schemas.length; i++) {
            history.put(i + 1, schemas[i]);
        }
        return history;
    }

    private static boolean ok(CompatibilityLevel level, Schema candidate, Schema... earlier) {
        return CompatibilityChecker.check(level, candidate, history(earlier)).isEmpty();
    }

    @Test
    void firstVersionIsAlwaysCompatible() {
        for (CompatibilityLevel level : CompatibilityLevel.values()) {
            assertThat(ok(level, COUNT_AS_STRING)).as(level.name()).isTrue();
        }
    }

    @Test
    void none() {
        assertThat(ok(CompatibilityLevel.NONE, COUNT_AS_STRING, V1)).isTrue();
        assertThat(ok(CompatibilityLevel.NONE, ADD_REQUIRED, V1)).isTrue();
    }

    @Test
    void backward() {
        assertThat(ok(CompatibilityLevel.BACKWARD, ADD_OPTIONAL, V1)).isTrue();
        assertThat(ok(CompatibilityLevel.BACKWARD, DROP_COUNT, V1)).isTrue();
        List<String> problems = CompatibilityChecker.check(CompatibilityLevel.BACKWARD, ADD_REQUIRED, history(V1));
        assertThat(problems).singleElement().asString()
                .contains("READER_FIELD_MISSING_DEFAULT").contains("lang").contains("oldSchemaVersion: 1")
                .contains("compatibility: 'BACKWARD'");
        assertThat(ok(CompatibilityLevel.BACKWARD, COUNT_AS_STRING, V1)).isFalse();
    }

    @Test
    void forward() {
        assertThat(ok(CompatibilityLevel.FORWARD, ADD_OPTIONAL, V1)).isTrue();
        // old readers ignore a new field, even one without default
        assertThat(ok(CompatibilityLevel.FORWARD, ADD_REQUIRED, V1)).isTrue();
        // old readers need 'count', which has no default
        assertThat(CompatibilityChecker.check(CompatibilityLevel.FORWARD, DROP_COUNT, history(V1)))
                .singleElement().asString().contains("READER_FIELD_MISSING_DEFAULT").contains("count");
    }

    @Test
    void full() {
        assertThat(ok(CompatibilityLevel.FULL, ADD_OPTIONAL, V1)).isTrue();
        assertThat(ok(CompatibilityLevel.FULL, ADD_REQUIRED, V1)).isFalse();
        assertThat(ok(CompatibilityLevel.FULL, DROP_COUNT, V1)).isFalse();
    }

    @Test
    void backwardTransitiveChecksEveryEarlierVersion() {
        Schema countAsStringWithDefault = record("{\"name\":\"name\",\"type\":\"string\"},"
                + "{\"name\":\"count\",\"type\":\"string\",\"default\":\"\"}");
        // v1 has count:int, v2 dropped it; the candidate brings it back as a string
        assertThat(ok(CompatibilityLevel.BACKWARD, countAsStringWithDefault, V1, DROP_COUNT)).isTrue();
        assertThat(CompatibilityChecker.check(CompatibilityLevel.BACKWARD_TRANSITIVE, countAsStringWithDefault,
                history(V1, DROP_COUNT))).singleElement().asString()
                .contains("TYPE_MISMATCH").contains("oldSchemaVersion: 1");
        assertThat(ok(CompatibilityLevel.FULL, countAsStringWithDefault, V1, DROP_COUNT)).isTrue();
        assertThat(ok(CompatibilityLevel.FULL_TRANSITIVE, countAsStringWithDefault, V1, DROP_COUNT)).isFalse();
    }

    @Test
    void forwardTransitiveChecksEveryEarlierVersion() {
        Schema countWithDefault = record("{\"name\":\"name\",\"type\":\"string\"},"
                + "{\"name\":\"count\",\"type\":\"int\",\"default\":0}");
        // v2 readers default 'count', v1 readers cannot
        assertThat(ok(CompatibilityLevel.FORWARD, DROP_COUNT, V1, countWithDefault)).isTrue();
        assertThat(ok(CompatibilityLevel.FORWARD_TRANSITIVE, DROP_COUNT, V1, countWithDefault)).isFalse();
        assertThat(ok(CompatibilityLevel.FULL_TRANSITIVE, DROP_COUNT, V1, countWithDefault)).isFalse();
    }

    @Test
    void levelNamesParseLikeConfluents() {
        assertThat(CompatibilityLevel.parse("full_transitive")).isEqualTo(CompatibilityLevel.FULL_TRANSITIVE);
        assertThat(CompatibilityLevel.parse(" BACKWARD ")).isEqualTo(CompatibilityLevel.BACKWARD);
        assertThat(CompatibilityLevel.parse("SIDEWAYS")).isNull();
        assertThat(CompatibilityLevel.parse(null)).isNull();
    }
}
