package io.tapflow.protocols.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.schema.ResponseStatus;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The error-code table (kafka-clients 4.2 Errors) and the status rule. */
class KafkaErrorsTest {

    @Test
    void namesFollowKafkaClientsErrors() {
        assertThat(KafkaErrors.name(0)).isEqualTo("NONE");
        assertThat(KafkaErrors.name(-1)).isEqualTo("UNKNOWN_SERVER_ERROR");
        assertThat(KafkaErrors.name(1)).isEqualTo("OFFSET_OUT_OF_RANGE");
        assertThat(KafkaErrors.name(3)).isEqualTo("UNKNOWN_TOPIC_OR_PARTITION");
        assertThat(KafkaErrors.name(35)).isEqualTo("UNSUPPORTED_VERSION");
        assertThat(KafkaErrors.name(56)).isEqualTo("KAFKA_STORAGE_ERROR");
        assertThat(KafkaErrors.name(79)).isEqualTo("MEMBER_ID_REQUIRED");
        assertThat(KafkaErrors.name(100)).isEqualTo("UNKNOWN_TOPIC_ID");
        assertThat(KafkaErrors.name(133)).isEqualTo("SHARE_SESSION_LIMIT_REACHED");
        assertThat(KafkaErrors.name(134)).isEqualTo("ERROR_134");
        assertThat(KafkaErrors.name(-2)).isEqualTo("ERROR_-2");
        assertThat(KafkaErrors.name(Integer.MIN_VALUE)).startsWith("ERROR_");
    }

    @Test
    void everyCodeOfTheTableHasItsOwnName() {
        Set<String> names = new HashSet<>();
        for (int code = -1; code <= KafkaErrors.MAX_CODE; code++) {
            String name = KafkaErrors.name(code);
            assertThat(name).as("code %d", code).matches("[A-Z_]+").doesNotStartWith("ERROR_");
            assertThat(names.add(name)).as("duplicate %s", name).isTrue();
        }
    }

    @Test
    void clientCausedCodesAreClientErrors() {
        for (int code : new int[] {1, 3, 10, 17, 22, 25, 27, 29, 30, 35, 42, 79, 100}) {
            assertThat(KafkaErrors.status(code)).as("%d %s", code, KafkaErrors.name(code))
                    .isEqualTo(ResponseStatus.CLIENT_ERROR);
        }
    }

    @Test
    void brokerSideCodesAreServerErrors() {
        for (int code : new int[] {-1, 5, 6, 7, 13, 14, 15, 16, 19, 20, 56}) {
            assertThat(KafkaErrors.status(code)).as("%d %s", code, KafkaErrors.name(code))
                    .isEqualTo(ResponseStatus.SERVER_ERROR);
        }
    }

    @Test
    void noneIsOkAndCodesNewerThanTheTableAreServerErrors() {
        assertThat(KafkaErrors.status(0)).isEqualTo(ResponseStatus.OK);
        assertThat(KafkaErrors.status(134)).isEqualTo(ResponseStatus.SERVER_ERROR);
        assertThat(KafkaErrors.status(-7)).isEqualTo(ResponseStatus.SERVER_ERROR);
        assertThat(KafkaErrors.status(Short.MAX_VALUE)).isEqualTo(ResponseStatus.SERVER_ERROR);
    }
}
