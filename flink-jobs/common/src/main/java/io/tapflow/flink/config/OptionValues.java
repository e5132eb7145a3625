package io.tapflow.flink.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing of raw option strings into typed values; one place so the file, the flags and defaults agree. */
final class OptionValues {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private OptionValues() {
    }

    /** Null when {@code raw} is a valid {@code type}, else what is wrong with it. */
    static String check(JobOption.Type type, String raw) {
        try {
            parse(type, raw);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    static Object parse(JobOption.Type type, String raw) {
        String v = raw.trim();
        return switch (type) {
            case STRING -> v;
            case INT -> parseInt(v);
            case LONG -> parseLong(v);
            case DURATION -> parseDuration(v);
            case BOOLEAN -> parseBoolean(v);
            case LIST -> parseList(v);
        };
    }

    private static int parseInt(String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected an integer, got '" + v + "'");
        }
    }

    private static long parseLong(String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a long integer, got '" + v + "'");
        }
    }

    static Duration parseDuration(String v) {
        Matcher m = DURATION.matcher(v.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            // a bare number is refused: "30" could mean seconds or milliseconds, and guessing wrong is silent
            throw new IllegalArgumentException("expected a duration like 200ms, 30s, 5m, 1h or 2d, got '" + v + "'");
        }
        long amount;
        try {
            amount = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("duration out of range: '" + v + "'");
        }
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    private static boolean parseBoolean(String v) {
        // strict: "yes"/"1" typos of other options should not silently become false
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException("expected true or false, got '" + v + "'");
    }

    private static List<String> parseList(String v) {
        List<String> items = new ArrayList<>();
        for (String item : v.split(",")) {
            String t = item.trim();
            if (!t.isEmpty()) {
                items.add(t);
            }
        }
        return List.copyOf(items);
    }
}
