package io.tapflow.flink.config;

import java.util.Objects;

/**
 * One option a job declares: its name (the key in the config file and the {@code --name} flag), its type, default
 * and description. A job's declared options are the only keys {@link JobOptions} accepts and the source of its
 * {@code --help} text.
 *
 * @param name key, e.g. {@code kafka.bootstrap-servers}
 * @param type how the value is parsed and checked
 * @param defaultValue raw default as it would be written in the file; null when there is none
 * @param description one line for {@code --help}
 * @param required whether validation fails when neither file, flags nor default give a value
 */
public record JobOption(String name, Type type, String defaultValue, String description, boolean required) {

    /** Value types; each parses the raw string the same way in the file and on the command line. */
    public enum Type { STRING, INT, LONG, DURATION, BOOLEAN, LIST }

    public JobOption {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(description, "description");
        if (name.isBlank() || name.startsWith("-") || name.contains("=") || name.contains(":")) {
            throw new IllegalArgumentException("bad option name: '" + name + "'");
        }
        if (defaultValue != null) {
            // a bad default is a bug in the job, not in the user's config: fail when the option is declared
            String problem = OptionValues.check(type, defaultValue);
            if (problem != null) {
                throw new IllegalArgumentException("default of " + name + ": " + problem);
            }
        }
    }

    public static JobOption string(String name, String defaultValue, String description) {
        return new JobOption(name, Type.STRING, defaultValue, description, false);
    }

    public static JobOption integer(String name, Integer defaultValue, String description) {
        return new JobOption(name, Type.INT, defaultValue == null ? null : defaultValue.toString(), description, false);
    }

    public static JobOption longValue(String name, Long defaultValue, String description) {
        return new JobOption(name, Type.LONG, defaultValue == null ? null : defaultValue.toString(), description,
                false);
    }

    /** A duration written like {@code 200ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 2d}. */
    public static JobOption duration(String name, String defaultValue, String description) {
        return new JobOption(name, Type.DURATION, defaultValue, description, false);
    }

    public static JobOption bool(String name, boolean defaultValue, String description) {
        return new JobOption(name, Type.BOOLEAN, Boolean.toString(defaultValue), description, false);
    }

    /** A comma-separated list; blanks around items are dropped. */
    public static JobOption list(String name, String defaultValue, String description) {
        return new JobOption(name, Type.LIST, defaultValue, description, false);
    }

    /** This option, required: validation reports it when no value is given. */
    public JobOption asRequired() {
        return new JobOption(name, type, defaultValue, description, true);
    }

    /** Whether the value must never be printed (keys naming a password, secret, token or API key). */
    public boolean isSecret() {
        return JobOptions.isSecretKey(name);
    }
}
