package io.tapflow.schema.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The mapping from Confluent error bodies to exception types, without a server. */
class RegistryErrorsTest {

    private static final String URL = "http://registry:8081/x";

    @Test
    void subjectNotFound() {
        RegistryHttpException e = RegistryErrors.fromResponse("GET", URL, 404,
                "{\"error_code\":40401,\"message\":\"Subject 'orders-value' not found.\"}");

        assertThat(e).isInstanceOf(SubjectNotFoundException.class)
                .hasMessage("GET http://registry:8081/x failed: HTTP 404 error_code 40401:"
                        + " Subject 'orders-value' not found.");
        assertThat(e.status()).isEqualTo(404);
        assertThat(e.errorCode()).isEqualTo(40401);
        assertThat(e.registryMessage()).isEqualTo("Subject 'orders-value' not found.");
    }

    @Test
    void eachKnownCodeHasItsType() {
        assertThat(RegistryErrors.fromResponse("GET", URL, 404, "{\"error_code\":40402,\"message\":\"v\"}"))
                .isInstanceOf(VersionNotFoundException.class);
        assertThat(RegistryErrors.fromResponse("GET", URL, 404, "{\"error_code\":40403,\"message\":\"s\"}"))
                .isInstanceOf(SchemaNotFoundException.class);
        assertThat(RegistryErrors.fromResponse("POST", URL, 422, "{\"error_code\":42201,\"message\":\"bad\"}"))
                .isInstanceOf(InvalidSchemaException.class);
        assertThat(RegistryErrors.fromResponse("POST", URL, 409, "{\"error_code\":409,\"message\":\"no\"}"))
                .isInstanceOf(IncompatibleSchemaException.class)
                .extracting(e -> ((RegistryHttpException) e).registryMessage()).isEqualTo("no");
    }

    @Test
    void otherErrorsKeepStatusCodeAndMessage() {
        RegistryHttpException e = RegistryErrors.fromResponse("PUT", URL, 422,
                "{\"error_code\":42203,\"message\":\"Invalid compatibility level\"}");

        assertThat(e.getClass()).isEqualTo(RegistryHttpException.class);
        assertThat(e).hasMessageContaining("HTTP 422").hasMessageContaining("42203")
                .hasMessageContaining("Invalid compatibility level");
    }

    @Test
    void nonJsonBodyIsKeptVerbatim() {
        RegistryHttpException e = RegistryErrors.fromResponse("GET", URL, 403, "<html>Forbidden</html>");

        assertThat(e.errorCode()).isEqualTo(-1);
        assertThat(e.registryMessage()).isEqualTo("<html>Forbidden</html>");
        assertThat(e).isInstanceOf(SchemaRegistryException.class)
                .isInstanceOf(org.apache.kafka.common.errors.SerializationException.class);
    }

    @Test
    void contextKeepsTheType() {
        RegistryHttpException e = RegistryErrors.fromResponse("GET", URL, 404,
                "{\"error_code\":40403,\"message\":\"Schema 7 not found\"}");

        SchemaRegistryException withTopic = e.withContext("topic orders");

        assertThat(withTopic).isInstanceOf(SchemaNotFoundException.class)
                .hasMessageStartingWith("topic orders: GET").hasCause(e);
    }
}
