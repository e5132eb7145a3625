package io.tapflow.localstack.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A tapflow job options file read on the submitting machine and turned into the jobs' {@code --key=value} program
 * arguments. A job's {@code main()} runs on the JobManager when submitted over REST, so a {@code --config FILE}
 * argument would name a file on the JobManager's host; sending the values instead works for a cluster anywhere.
 *
 * <p>The format is the jobs' own (flink-jobs/common {@code JobOptions}): {@code key: value} or {@code key=value}
 * per line, the first ':' or '=' ends the key, {@code #} comments, blank lines, values optionally in matching
 * quotes. Keys are not checked here: the job validates them and its error comes back from Flink.
 */
public final class JobOptionsFile {

    private static final List<String> SECRET_WORDS = List.of("password", "secret", "token", "api-key", "api_key");

    private JobOptionsFile() {
    }

    /** The entries of {@code file} in file order; a malformed line is an {@link IllegalArgumentException}. */
    public static Map<String, String> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read options file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> entries = new LinkedHashMap<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int sep = firstSeparator(line);
            if (sep <= 0) {
                throw new IllegalArgumentException(file + " line " + (n + 1)
                        + ": expected 'key: value' or 'key=value'");
            }
            entries.put(line.substring(0, sep).strip(), unquote(line.substring(sep + 1).strip()));
        }
        return entries;
    }

    /** {@code --key=value} per entry: the '=' form keeps empty values and values starting with "--" intact. */
    public static List<String> toProgramArgs(Map<String, String> options) {
        List<String> args = new ArrayList<>(options.size());
        options.forEach((k, v) -> args.add("--" + k + "=" + v));
        return args;
    }

    /** The options as {@code key=value, ...} with the values of secret keys masked; safe to print. */
    public static String describe(Map<String, String> options) {
        List<String> shown = new ArrayList<>();
        options.forEach((k, v) -> shown.add(k + "=" + (isSecretKey(k) && !v.isEmpty() ? "******" : v)));
        return String.join(", ", shown);
    }

    /** Same rule as the jobs: a key naming a password, secret, token or API key holds a secret. */
    public static boolean isSecretKey(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return SECRET_WORDS.stream().anyMatch(k::contains);
    }

    private static int firstSeparator(String line) {
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
