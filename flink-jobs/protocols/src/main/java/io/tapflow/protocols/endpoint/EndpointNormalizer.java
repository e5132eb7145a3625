package io.tapflow.protocols.endpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Turns a request path into the route it belongs to, so that requests aggregate per endpoint instead of per id:
 * {@code /users/42/orders/7?x=1} → {@code /users/{id}/orders/{id}}. Pure and thread-safe.
 *
 * <p>Rules, per path segment (the text between two '/'):
 * <ol>
 *   <li>The configured extra rules first, in order: the first whose pattern matches the whole segment replaces it
 *       with its replacement (which may use {@code $1}-style groups).</li>
 *   <li>Then the built-in id shapes, replaced by the placeholder (default {@value #DEFAULT_PLACEHOLDER}):
 *     <ul>
 *       <li>decimal numbers: {@code 42}, {@code 0017};</li>
 *       <li>UUIDs {@code 8-4-4-4-12} hex, any case;</li>
 *       <li>hex strings of 16 or more characters with at least one digit (Mongo ObjectIds, SHA-1/256 digests,
 *           dash-less UUIDs);</li>
 *       <li>opaque tokens: 20 or more letters and digits only, with at least two digits and one letter (ULIDs,
 *           base62 keys); slugs with '-' or '_' are kept.</li>
 *     </ul></li>
 * </ol>
 * The query string and fragment are dropped, an absolute-form target ({@code http://host/path}) keeps only its
 * path, an empty path becomes {@code /}. Segments such as {@code v1}, {@code 12345.jpg} or dates are kept; add an
 * extra rule when a service needs them folded.
 *
 * <p>Note: the RequestLog schema's doc of {@code endpoint} mentions '*' as the replacement; the placeholder is
 * configurable ({@link Builder#placeholder}) so either convention can be chosen by the job.
 */
public final class EndpointNormalizer {

    public static final String DEFAULT_PLACEHOLDER = "{id}";

    /** A per-segment rule: a segment that {@code pattern} matches entirely becomes {@code replacement}. */
    public record Rule(Pattern pattern, String replacement) {
        public Rule {
            Objects.requireNonNull(pattern, "pattern");
            Objects.requireNonNull(replacement, "replacement");
        }
    }

    private static final EndpointNormalizer DEFAULTS = builder().build();

    private final List<Rule> rules;
    private final String placeholder;

    private EndpointNormalizer(List<Rule> rules, String placeholder) {
        this.rules = List.copyOf(rules);
        this.placeholder = placeholder;
    }

    /** The built-in rules with the {@value #DEFAULT_PLACEHOLDER} placeholder. */
    public static EndpointNormalizer defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The route of {@code target} (a path, possibly with query string, or an absolute URL); null stays null. */
    public String normalize(String target) {
        if (target == null) {
            return null;
        }
        int from = pathStart(target);
        int to = target.length();
        for (int i = from; i < to; i++) {
            char ch = target.charAt(i);
            if (ch == '?' || ch == '#') {
                to = i;
                break;
            }
        }
        if (from >= to) {
            return "/";
        }
        StringBuilder out = null;
        int segStart = from;
        for (int i = from; i <= to; i++) {
            if (i < to && target.charAt(i) != '/') {
                continue;
            }
            String replacement = i > segStart ? replace(target, segStart, i) : null;
            if (replacement != null && out == null) {
                out = new StringBuilder(to - from + 8).append(target, from, segStart);
            }
            if (out != null) {
                out.append(replacement != null ? replacement : target.subSequence(segStart, i));
                if (i < to) {
                    out.append('/');
                }
            }
            segStart = i + 1;
        }
        if (out != null) {
            return out.toString();
        }
        return from == 0 && to == target.length() ? target : target.substring(from, to);
    }

    /** The replacement of segment {@code s[from, to)}, or null to keep it. */
    private String replace(String s, int from, int to) {
        if (!rules.isEmpty()) {
            String segment = s.substring(from, to);
            for (Rule rule : rules) {
                var m = rule.pattern().matcher(segment);
                if (m.matches()) {
                    return m.replaceFirst(rule.replacement());
                }
            }
        }
        return isNumeric(s, from, to) || isUuid(s, from, to) || isLongHex(s, from, to) || isToken(s, from, to)
                ? placeholder : null;
    }

    private static int pathStart(String t) {
        int scheme = t.indexOf("://");
        if (scheme <= 0 || t.charAt(0) == '/') {
            return 0;
        }
        for (int i = 0; i < scheme; i++) {
            if (!Character.isLetter(t.charAt(i))) {
                return 0;
            }
        }
        int slash = t.indexOf('/', scheme + 3);
        return slash < 0 ? t.length() : slash;
    }

    static boolean isNumeric(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return to > from;
    }

    static boolean isUuid(String s, int from, int to) {
        if (to - from != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(from + i);
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (c != '-') {
                    return false;
                }
            } else if (Character.digit(c, 16) < 0) {
                return false;
            }
        }
        return true;
    }

    static boolean isLongHex(String s, int from, int to) {
        if (to - from < 16) {
            return false;
        }
        boolean digit = false;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (Character.digit(c, 16) < 0 || c > 'f') {
                return false;
            }
            digit |= c <= '9';
        }
        return digit;
    }

    static boolean isToken(String s, int from, int to) {
        if (to - from < 20) {
            return false;
        }
        int digits = 0;
        int letters = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
            } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
                letters++;
            } else {
                return false;
            }
        }
        return digits >= 2 && letters >= 1;
    }

    /** Builder of {@link EndpointNormalizer}. */
    public static final class Builder {
        private final List<Rule> rules = new ArrayList<>();
        private String placeholder = DEFAULT_PLACEHOLDER;

        /** Adds a rule tried before the built-in shapes; {@code regex} must match a whole segment. */
        public Builder rule(String regex, String replacement) {
            rules.add(new Rule(Pattern.compile(regex), replacement));
            return this;
        }

        /** What id segments become (default {@value #DEFAULT_PLACEHOLDER}). */
        public Builder placeholder(String placeholder) {
            this.placeholder = Objects.requireNonNull(placeholder, "placeholder");
            return this;
        }

        public EndpointNormalizer build() {
            return new EndpointNormalizer(rules, placeholder);
        }
    }
}
