package io.tapflow.schema.registry;

import java.time.Duration;
import java.util.Map;

/**
 * Configuration keys understood by {@link SchemaRegistryClient#fromConfig(Map)}, the Kafka serdes and the Flink
 * adapters. The names follow Confluent's where Confluent has one.
 */
public final class SchemaRegistryClientConfig {

    /** Base URL of the registry, e.g. {@code http://localhost:8081}. Required. */
    public static final String URL = "schema.registry.url";
    /** {@code user:password} for HTTP basic auth. Optional; never logged. */
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    /** Per-request timeout (connect and response), milliseconds. Default 10000. */
    public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";
    /** Requests per call before giving up on connection errors and 5xx. Default 3. */
    public static final String RETRY_MAX_ATTEMPTS = "schema.registry.retry.max.attempts";
    /** First backoff between attempts, milliseconds; doubles each retry. Default 100. */
    public static final String RETRY_BACKOFF_MS = "schema.registry.retry.backoff.ms";
    /** Upper bound for one backoff, milliseconds. Default 2000. */
    public static final String RETRY_BACKOFF_MAX_MS = "schema.registry.retry.backoff.max.ms";

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private SchemaRegistryClientConfig() {
    }

    static String string(Map<String, ?> configs, String key, String fallback) {
        Object value = configs.get(key);
        return value == null ? fallback : value.toString().trim();
    }

    static long number(Map<String, ?> configs, String key, long fallback) {
        Object value = configs.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Number n) {
            return n.longValue();
        }
        try {
            return Long.parseLong(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, was '" + value + "'", e);
        }
    }
}
