package io.tapflow.schema.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Turns a registry error response (Confluent shape {@code {"error_code":..,"message":..}}) into our exception. */
final class RegistryErrors {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RegistryErrors() {
    }

    static RegistryHttpException fromResponse(String method, String url, int status, String body) {
        int errorCode = -1;
        String registryMessage = body == null ? "" : body;
        try {
            JsonNode node = JSON.readTree(body == null ? "" : body);
            if (node != null && node.isObject()) {
                errorCode = node.path("error_code").asInt(-1);
                if (node.hasNonNull("message")) {
                    registryMessage = node.get("message").asText();
                }
            }
        } catch (Exception notJson) {
            // a proxy or a non-Confluent server answered; keep the raw body as the message
        }
        String message = method + " " + url + " failed: HTTP " + status
                + (errorCode >= 0 ? " error_code " + errorCode : "") + ": " + registryMessage;
        if (status == 409) {
            return new IncompatibleSchemaException(status, errorCode, registryMessage, message);
        }
        switch (errorCode) {
            case SubjectNotFoundException.ERROR_CODE:
                return new SubjectNotFoundException(status, errorCode, registryMessage, message);
            case VersionNotFoundException.ERROR_CODE:
                return new VersionNotFoundException(status, errorCode, registryMessage, message);
            case SchemaNotFoundException.ERROR_CODE:
                return new SchemaNotFoundException(status, errorCode, registryMessage, message);
            case InvalidSchemaException.ERROR_CODE:
                return new InvalidSchemaException(status, errorCode, registryMessage, message);
            default:
                return new RegistryHttpException(status, errorCode, registryMessage, message);
        }
    }
}
