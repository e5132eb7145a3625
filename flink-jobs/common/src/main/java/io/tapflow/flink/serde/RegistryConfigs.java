package io.tapflow.flink.serde;

import io.tapflow.schema.registry.SchemaRegistryClientConfig;
import java.util.Map;

/** Checks made when a job is built, so a missing registry URL fails at submission instead of on a task manager. */
final class RegistryConfigs {

    private RegistryConfigs() {
    }

    static void requireUrl(Map<String, String> config) {
        String url = config.get(SchemaRegistryClientConfig.URL);
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException(SchemaRegistryClientConfig.URL + " is required");
        }
    }
}
