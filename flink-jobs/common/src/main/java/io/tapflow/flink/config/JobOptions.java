package io.tapflow.flink.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A job's options: a {@code key: value} / {@code key=value} file given by {@code --config FILE}, overridden by
 * {@code --key value} (or {@code --key=value}) flags, checked against the job's declared {@link JobOption}s.
 *
 * <p>{@link #parse} validates everything before the job builds its graph and reports every problem in one
 * {@link InvalidJobOptionsException}. Values of secret keys (see {@link #isSecretKey}) never appear in
 * {@link #toString()}, so logging the options is safe.
 */
public final class JobOptions {

    /** Flag naming the config file; not an option itself. */
    public static final String CONFIG_FLAG = "config";

    private static final String MASK = "******";
    private static final List<String> SECRET_WORDS = List.of("password", "secret", "token", "api-key", "api_key");

    private final Map<String, JobOption> declared;
    private final Map<String, String> values;

    private JobOptions(Map<String, JobOption> declared, Map<String, String> values) {
        this.declared = declared;
        this.values = values;
    }

    /** Reads {@code --config FILE} (when given) and the flags in {@code args}; flags win over the file. */
    public static JobOptions parse(String[] args, Collection<JobOption> options) throws InvalidJobOptionsException {
        List<String> problems = new ArrayList<>();
        Map<String, String> flags = parseFlags(args, problems);
        Map<String, String> merged = new LinkedHashMap<>();
        String configFile = flags.remove(CONFIG_FLAG);
        if (configFile != null) {
            merged.putAll(readFile(Path.of(configFile), problems));
        }
        merged.putAll(flags);
        return validate(merged, options, problems);
    }

    /** Options from already split key/value pairs (tests, embedded use). */
    public static JobOptions fromMap(Map<String, String> raw, Collection<JobOption> options)
            throws InvalidJobOptionsException {
        return validate(new LinkedHashMap<>(raw), options, new ArrayList<>());
    }

    /** Whether {@code args} ask for help ({@code --help} or {@code -h}); jobs print {@link #help} and exit. */
    public static boolean isHelpRequested(String[] args) {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                return true;
            }
        }
        return false;
    }

    /** Usage text listing every declared option with its type, default and description. */
    public static String help(String jobName, Collection<JobOption> options) {
        StringBuilder sb = new StringBuilder("Usage: ").append(jobName)
                .append(" [--config FILE] [--<option> <value>]...\n\nOptions:\n");
        for (JobOption o : options) {
            sb.append("  --").append(o.name()).append(" <").append(o.type().name().toLowerCase(Locale.ROOT))
                    .append(">");
            if (o.required()) {
                sb.append(" (required)");
            } else if (o.defaultValue() != null) {
                sb.append(" (default: ").append(o.isSecret() ? MASK : o.defaultValue()).append(")");
            }
            sb.append("\n      ").append(o.description()).append('\n');
        }
        return sb.toString();
    }

    /** Whether values of {@code key} are secrets: it names a password, secret, token or API key. */
    public static boolean isSecretKey(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        for (String word : SECRET_WORDS) {
            if (k.contains(word)) {
                return true;
            }
        }
        return false;
    }

    public String getString(JobOption option) {
        return (String) typed(option, JobOption.Type.STRING);
    }

    public int getInt(JobOption option) {
        return (Integer) typed(option, JobOption.Type.INT);
    }

    public long getLong(JobOption option) {
        return (Long) typed(option, JobOption.Type.LONG);
    }

    public Duration getDuration(JobOption option) {
        return (Duration) typed(option, JobOption.Type.DURATION);
    }

    public boolean getBoolean(JobOption option) {
        return (Boolean) typed(option, JobOption.Type.BOOLEAN);
    }

    @SuppressWarnings("unchecked")
    public List<String> getList(JobOption option) {
        return (List<String>) typed(option, JobOption.Type.LIST);
    }

    /** Whether the file or a flag gave a value (a default does not count). */
    public boolean isSet(JobOption option) {
        return values.containsKey(declaredOrThrow(option).name());
    }

    /**
     * The raw value of an option that must be present for this code path, though the job does not always need it
     * (those are declared {@link JobOption#asRequired()} instead); throws naming the option when it is missing.
     */
    public String required(JobOption option) {
        String raw = rawOrDefault(declaredOrThrow(option));
        if (raw == null) {
            throw new IllegalStateException("missing required option --" + option.name() + " (" + option.description()
                    + ")");
        }
        return raw;
    }

    /** The options with their effective values, secrets masked; safe to log. */
    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        for (JobOption o : declared.values()) {
            String raw = rawOrDefault(o);
            if (raw != null) {
                shown.put(o.name(), o.isSecret() ? MASK : raw);
            }
        }
        return "JobOptions" + shown;
    }

    private Object typed(JobOption option, JobOption.Type expected) {
        JobOption o = declaredOrThrow(option);
        if (o.type() != expected) {
            throw new IllegalArgumentException("option " + o.name() + " is " + o.type() + ", not " + expected);
        }
        String raw = rawOrDefault(o);
        if (raw == null) {
            throw new IllegalStateException("option --" + o.name() + " has no value and no default");
        }
        // validated in validate(): cannot fail here
        return OptionValues.parse(o.type(), raw);
    }

    private String rawOrDefault(JobOption o) {
        String raw = values.get(o.name());
        return raw != null ? raw : o.defaultValue();
    }

    private JobOption declaredOrThrow(JobOption option) {
        JobOption o = declared.get(option.name());
        if (o == null) {
            // a programming error in the job (reading an option it never declared), not a user error
            throw new IllegalArgumentException("option " + option.name() + " was not declared");
        }
        return o;
    }

    private static JobOptions validate(Map<String, String> raw, Collection<JobOption> options, List<String> problems)
            throws InvalidJobOptionsException {
        Map<String, JobOption> declared = new LinkedHashMap<>();
        for (JobOption o : options) {
            if (declared.put(o.name(), o) != null) {
                throw new IllegalArgumentException("option declared twice: " + o.name());
            }
        }
        for (Map.Entry<String, String> e : raw.entrySet()) {
            JobOption o = declared.get(e.getKey());
            if (o == null) {
                problems.add("unknown option '" + e.getKey() + "'" + suggestion(e.getKey(), declared.keySet()));
                continue;
            }
            String problem = OptionValues.check(o.type(), e.getValue());
            if (problem != null) {
                // never echo a secret's value, even a malformed one
                problems.add("option " + o.name() + ": "
                        + (o.isSecret() ? "invalid " + o.type().name().toLowerCase(Locale.ROOT) : problem));
            }
        }
        for (JobOption o : declared.values()) {
            if (o.required() && !raw.containsKey(o.name()) && o.defaultValue() == null) {
                problems.add("missing required option " + o.name() + " (" + o.description() + ")");
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidJobOptionsException(problems);
        }
        return new JobOptions(declared, Map.copyOf(raw));
    }

    private static String suggestion(String key, Collection<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String k : known) {
            int d = distance(key, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best == null ? "" : " (did you mean '" + best + "'?)";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static Map<String, String> parseFlags(String[] args, List<String> problems) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() == 2) {
                problems.add("unexpected argument '" + a + "' (options are --key value)");
                continue;
            }
            String key = a.substring(2);
            int eq = key.indexOf('=');
            if (eq >= 0) {
                flags.put(key.substring(0, eq), key.substring(eq + 1));
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                flags.put(key, args[++i]);
            } else {
                // a bare --flag switches a boolean on; for other types validation reports "expected ..."
                flags.put(key, "true");
            }
        }
        return flags;
    }

    private static Map<String, String> readFile(Path file, List<String> problems) {
        Map<String, String> entries = new LinkedHashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            problems.add("cannot read config file " + file + ": " + e);
            return entries;
        }
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int sep = firstSeparator(line);
            if (sep <= 0) {
                problems.add(file + " line " + (n + 1) + ": expected 'key: value' or 'key=value'");
                continue;
            }
            entries.put(line.substring(0, sep).strip(), unquote(line.substring(sep + 1).strip()));
        }
        return entries;
    }

    private static int firstSeparator(String line) {
        // keys hold neither ':' nor '=', so the first one ends the key and values may contain both (URLs)
        int colon = line.indexOf(':');
        int eq = line.indexOf('=');
        if (colon < 0) {
            return eq;
        }
        return eq < 0 ? colon : Math.min(colon, eq);
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }
}
