package io.tapflow.schema.serde;

import java.util.Map;

/**
 * Serde configuration keys on top of {@link io.tapflow.schema.registry.SchemaRegistryClientConfig}. Names follow
 * Confluent's serde so existing client configs keep working.
 */
public final class AvroSerdeConfig {

    /** Serializer: register the record's schema if needed (true, default) or only look it up (false). */
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    /**
     * Deserializer: true = produce SpecificRecord instances, the class found by the writer schema's full name,
     * with that class's schema as reader schema. Default false (GenericRecord in the writer schema).
     */
    public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";
    /** Deserializer for values: the SpecificRecord class to read into (implies a specific reader). */
    public static final String SPECIFIC_AVRO_VALUE_TYPE = "specific.avro.value.type";
    /** Deserializer for keys: the SpecificRecord class to read into (implies a specific reader). */
    public static final String SPECIFIC_AVRO_KEY_TYPE = "specific.avro.key.type";

    private AvroSerdeConfig() {
    }

    static boolean bool(Map<String, ?> configs, String key, boolean fallback) {
        Object value = configs.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String text = value.toString().trim();
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
        }
        throw new IllegalArgumentException(key + " must be true or false, was '" + value + "'");
    }

    /** Confluent's TopicNameStrategy: {@code <topic>-key} or {@code <topic>-value}. */
    public static String subject(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }
}
