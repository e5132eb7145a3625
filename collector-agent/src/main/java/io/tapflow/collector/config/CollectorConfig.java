package io.tapflow.collector.config;

import io.tapflow.collector.source.CaptureFilter;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The collector's settings: defaults, overridden by the config file ({@code --config FILE}, Java properties:
 * {@code key=value}, {@code #} comments, keys as in {@link CollectorOption}), overridden by command-line flags
 * ({@code --key value} or {@code --key=value}; a boolean flag alone means true). Keys starting with {@code kafka.}
 * are passed to the Kafka producer as they are (e.g. {@code kafka.security.protocol=SSL}). Every problem is a
 * {@link ConfigException} with one line naming the option.
 */
public final class CollectorConfig {

    private static final String KAFKA_PREFIX = "kafka.";

    private final Map<String, String> values;
    private final Set<String> fromFlags;
    private final Path file;
    private final boolean help;

    private CollectorConfig(Map<String, String> values, Set<String> fromFlags, Path file, boolean help) {
        this.values = values;
        this.fromFlags = fromFlags;
        this.file = file;
        this.help = help;
    }

    /** Parses the command line, reading the config file it names. */
    public static CollectorConfig parse(String[] args) throws ConfigException {
        Map<String, String> flags = new HashMap<>();
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new ConfigException("unexpected argument '" + arg + "' (options are --name value)");
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (isBoolean(name) && (i + 1 >= args.length || args[i + 1].startsWith("--"))) {
                value = "true";
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new ConfigException("--" + name + " needs a value");
            }
            checkKnown(name, "--" + name);
            flags.put(name, value);
        }
        Map<String, String> merged = new HashMap<>();
        Path file = null;
        if (flags.containsKey(CollectorOption.CONFIG.key())) {
            file = Path.of(flags.get(CollectorOption.CONFIG.key()));
            merged.putAll(readFile(file));
        }
        merged.putAll(flags);
        CollectorConfig config = new CollectorConfig(merged, Set.copyOf(flags.keySet()), file, help);
        if (!help) {
            config.validate();
        }
        return config;
    }

    /** Reads a config file's key/values (unknown keys refused). */
    static Map<String, String> readFile(Path file) throws ConfigException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        Map<String, String> values = new HashMap<>();
        for (String key : properties.stringPropertyNames()) {
            checkKnown(key, key + " in " + file);
            values.put(key, properties.getProperty(key).trim());
        }
        return values;
    }

    public boolean help() {
        return help;
    }

    /** The config file, if one was given. */
    public Path file() {
        return file;
    }

    public String string(CollectorOption option) {
        String value = values.get(option.key());
        return value != null ? value : option.defaultValue();
    }

    public boolean isSet(CollectorOption option) {
        return values.containsKey(option.key());
    }

    public int integer(CollectorOption option, long min, long max) throws ConfigException {
        return (int) number(option, min, Math.min(max, Integer.MAX_VALUE));
    }

    public long number(CollectorOption option, long min, long max) throws ConfigException {
        return number(option.key(), string(option), min, max);
    }

    public double decimal(CollectorOption option, double min) throws ConfigException {
        String text = string(option);
        try {
            double value = Double.parseDouble(text);
            if (!(value >= min) || Double.isInfinite(value)) {
                throw new ConfigException(option.key() + " must be >= " + min + ", was " + text);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigException(option.key() + " must be a number, was '" + text + "'");
        }
    }

    public boolean bool(CollectorOption option) throws ConfigException {
        String text = string(option);
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
        }
        throw new ConfigException(option.key() + " must be true or false, was '" + text + "'");
    }

    /** {@code kafka.*} keys without the prefix. */
    public Map<String, String> kafkaProperties() {
        Map<String, String> kafka = new TreeMap<>();
        values.forEach((key, value) -> {
            if (key.startsWith(KAFKA_PREFIX) && !key.equals(CollectorOption.KAFKA_BOOTSTRAP.key())) {
                kafka.put(key.substring(KAFKA_PREFIX.length()), value);
            }
        });
        return kafka;
    }

    /** The capture filter these settings describe. */
    public CaptureFilter captureFilter() throws ConfigException {
        return filterFrom(this::string);
    }

    /**
     * The capture filter after the config file changed: reloadable options from {@code fileValues}, except those
     * set on the command line, which stay as they were (flags win, also on reload).
     */
    public CaptureFilter reloadedFilter(Map<String, String> fileValues) throws ConfigException {
        return filterFrom(option -> {
            if (fromFlags.contains(option.key()) || !fileValues.containsKey(option.key())) {
                return fromFlags.contains(option.key()) ? string(option) : option.defaultValue();
            }
            return fileValues.get(option.key());
        });
    }

    private static CaptureFilter filterFrom(Function<CollectorOption, String> value) throws ConfigException {
        int payload = (int) number(CollectorOption.PAYLOAD_BYTES.key(), value.apply(CollectorOption.PAYLOAD_BYTES),
                0, CaptureFilter.MAX_PAYLOAD_BYTES);
        int sample = (int) number(CollectorOption.SAMPLE_ONE_IN.key(), value.apply(CollectorOption.SAMPLE_ONE_IN),
                1, Integer.MAX_VALUE);
        return new CaptureFilter(
                intSet(CollectorOption.ALLOW_PORTS, value, 1, 65535),
                intSet(CollectorOption.DENY_PORTS, value, 1, 65535),
                intSet(CollectorOption.ALLOW_PIDS, value, 1, Integer.MAX_VALUE),
                intSet(CollectorOption.DENY_PIDS, value, 1, Integer.MAX_VALUE),
                longSet(CollectorOption.ALLOW_CGROUPS, value),
                longSet(CollectorOption.DENY_CGROUPS, value),
                payload, sample);
    }

    private void validate() throws ConfigException {
        String source = string(CollectorOption.SOURCE);
        if (!source.equals("ebpf") && !source.equals("replay")) {
            throw new ConfigException("source must be ebpf or replay, was '" + source + "'");
        }
        if (source.equals("replay") && !isSet(CollectorOption.REPLAY)) {
            throw new ConfigException("source replay needs --replay FILE");
        }
        if (isSet(CollectorOption.REPLAY) && !Files.isReadable(Path.of(string(CollectorOption.REPLAY)))) {
            throw new ConfigException("replay: cannot read " + string(CollectorOption.REPLAY));
        }
        decimal(CollectorOption.REPLAY_SPEED, 0);
        number(CollectorOption.REPLAY_LOOPS, 1, Integer.MAX_VALUE);
        number(CollectorOption.REPLAY_MAX_EVENT_BYTES, 1, 1 << 30);
        bool(CollectorOption.REPLAY_SHIFT_TO_NOW);
        String comm = string(CollectorOption.REPLAY_COMM);
        if (comm.isEmpty() || comm.length() > 15) {
            throw new ConfigException("replay-comm must be 1..15 characters, was '" + comm + "'");
        }
        if (isSet(CollectorOption.AGENT_ID) && string(CollectorOption.AGENT_ID).isBlank()) {
            throw new ConfigException("agent-id must not be blank");
        }
        if (string(CollectorOption.KAFKA_BOOTSTRAP).isBlank()) {
            throw new ConfigException("kafka-bootstrap must not be empty");
        }
        String registry = string(CollectorOption.SCHEMA_REGISTRY_URL);
        if (!registry.startsWith("http://") && !registry.startsWith("https://")) {
            throw new ConfigException("schema-registry-url must be an http(s) URL, was '" + registry + "'");
        }
        number(CollectorOption.QUEUE_CAPACITY, 1, 10_000_000);
        number(CollectorOption.QUEUE_BYTES, 1024, Long.MAX_VALUE);
        number(CollectorOption.KAFKA_BUFFER_BYTES, 1024, Long.MAX_VALUE);
        number(CollectorOption.KAFKA_MAX_BLOCK_MS, 0, 600_000);
        number(CollectorOption.KAFKA_DELIVERY_TIMEOUT_MS, 1, Integer.MAX_VALUE);
        number(CollectorOption.KAFKA_OUTAGE_AFTER_MS, 1, Integer.MAX_VALUE);
        number(CollectorOption.METRICS_PORT, -1, 65535);
        number(CollectorOption.STATUS_INTERVAL_S, 0, 86_400);
        number(CollectorOption.SHUTDOWN_TIMEOUT_S, 0, 3_600);
        number(CollectorOption.CONFIG_POLL_MS, 100, 3_600_000);
        bool(CollectorOption.ENRICH);
        captureFilter();
    }

    /** The --help text: usage and every option with its default. */
    public static String helpText() {
        StringBuilder text = new StringBuilder();
        text.append("""
                Usage: tapflow collector [--replay FILE | --source ebpf] [options]

                The tapflow host collector: captures socket calls and TCP events (eBPF) or replays a pcap/pcapng
                capture, and publishes them as raw Avro records to Kafka (tapflow.raw.socket-data, .tcp-events,
                .process). Settings come from --config FILE (Java properties, key=value, # comments), overridden by
                flags (--key value or --key=value). Keys kafka.* go to the Kafka producer as they are. The filter
                options marked Reloadable are re-read from the config file while running when it changes.

                Exit codes: 0 ok, 1 failure while running, 2 bad configuration, 3 not privileged (needs root or
                CAP_BPF+CAP_PERFMON), 4 no kernel BTF, 5 tracefs unavailable.

                Options:
                """);
        List<String> lines = new ArrayList<>();
        for (CollectorOption option : CollectorOption.values()) {
            String head = "  --" + option.key() + " " + option.valueHint();
            String defaults = option.defaultValue() == null ? "" : " [default: "
                    + (option.defaultValue().isEmpty() ? "none" : option.defaultValue()) + "]";
            lines.add(String.format("%-44s %s%s", head, option.help(), defaults));
        }
        lines.add(String.format("%-44s %s", "  --help", "This text."));
        text.append(String.join("\n", lines)).append('\n');
        return text.toString();
    }

    private static boolean isBoolean(String key) {
        return CollectorOption.byKey(key).map(o -> "true|false".equals(o.valueHint())).orElse(false);
    }

    private static void checkKnown(String key, String where) throws ConfigException {
        if (key.startsWith(KAFKA_PREFIX) && !key.equals(CollectorOption.KAFKA_BOOTSTRAP.key())
                && key.length() > KAFKA_PREFIX.length()) {
            return;
        }
        if (CollectorOption.byKey(key).isEmpty()) {
            throw new ConfigException("unknown option " + where + " (see --help)");
        }
    }

    private static long number(String key, String text, long min, long max) throws ConfigException {
        try {
            long value = Long.parseLong(text.trim());
            if (value < min || value > max) {
                throw new ConfigException(key + " must be within " + min + ".." + max + ", was " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " must be a whole number, was '" + text + "'");
        }
    }

    private static Set<Integer> intSet(CollectorOption option, Function<CollectorOption, String> value, int min,
                                       int max) throws ConfigException {
        Set<Integer> set = new LinkedHashSet<>();
        for (String part : split(value.apply(option))) {
            set.add((int) number(option.key(), part, min, max));
        }
        return Collections.unmodifiableSet(set);
    }

    private static Set<Long> longSet(CollectorOption option, Function<CollectorOption, String> value)
            throws ConfigException {
        Set<Long> set = new LinkedHashSet<>();
        for (String part : split(value.apply(option))) {
            set.add(number(option.key(), part, 0, Long.MAX_VALUE));
        }
        return Collections.unmodifiableSet(set);
    }

    private static List<String> split(String text) {
        List<String> parts = new ArrayList<>();
        if (text == null) {
            return parts;
        }
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                parts.add(part.trim());
            }
        }
        return parts;
    }
}
