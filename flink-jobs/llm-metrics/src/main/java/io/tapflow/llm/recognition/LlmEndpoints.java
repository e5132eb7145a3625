package io.tapflow.llm.recognition;

import io.tapflow.protocols.L7Message;
import io.tapflow.schema.L7Protocol;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Recognises LLM inference routes from a decoded HTTP request: the built-in routes of OpenAI-compatible servers
 * (OpenAI, vLLM, TGI Messages API, llama.cpp, gateways), TGI and Ollama, then configured path patterns, in that
 * order (a configured pattern cannot shadow a built-in route). Only the path counts: the query string is ignored,
 * and a prefix before {@code /v1/} (a gateway's {@code /openai/v1/...}) is allowed.
 *
 * <p>Built-in routes need a POST (they all take a JSON body); configured patterns match any method, for servers
 * that stream on GET.
 */
public final class LlmEndpoints implements Serializable {

    private static final long serialVersionUID = 1L;

    /** A configured route: a regular expression over the whole path, and what it is. */
    public record Route(Pattern path, LlmEndpoint endpoint) implements Serializable {

        public Route {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(endpoint, "endpoint");
        }

        /**
         * Parses {@code provider:dialect:operation:regex}, e.g. {@code mygw:openai:chat:/llm/.+/chat}; the regex may
         * itself contain ':'.
         */
        public static Route parse(String spec) {
            String[] parts = spec.split(":", 4);
            if (parts.length != 4 || parts[0].isBlank() || parts[3].isBlank()) {
                throw new IllegalArgumentException(
                        "route '" + spec + "' is not provider:dialect:operation:regex (e.g. gw:openai:chat:/llm/chat)");
            }
            LlmDialect dialect = LlmDialect.valueOf(parts[1].trim().toUpperCase(java.util.Locale.ROOT));
            return new Route(Pattern.compile(parts[3]),
                    new LlmEndpoint(parts[0].trim(), parts[2].trim(), dialect, dialect == LlmDialect.OLLAMA));
        }
    }

    private static final LlmEndpoint OPENAI_CHAT =
            new LlmEndpoint("openai", LlmEndpoint.CHAT, LlmDialect.OPENAI, false);
    private static final LlmEndpoint OPENAI_COMPLETION =
            new LlmEndpoint("openai", LlmEndpoint.TEXT_COMPLETION, LlmDialect.OPENAI, false);
    private static final LlmEndpoint TGI_GENERATE =
            new LlmEndpoint("tgi", LlmEndpoint.GENERATE_CONTENT, LlmDialect.TGI, false);
    private static final LlmEndpoint TGI_GENERATE_STREAM =
            new LlmEndpoint("tgi", LlmEndpoint.GENERATE_CONTENT, LlmDialect.TGI, true);
    private static final LlmEndpoint OLLAMA_GENERATE =
            new LlmEndpoint("ollama", LlmEndpoint.GENERATE_CONTENT, LlmDialect.OLLAMA, true);
    private static final LlmEndpoint OLLAMA_CHAT =
            new LlmEndpoint("ollama", LlmEndpoint.CHAT, LlmDialect.OLLAMA, true);

    private final List<Route> routes;

    public LlmEndpoints(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    /** Built-in routes only. */
    public static LlmEndpoints defaults() {
        return new LlmEndpoints(List.of());
    }

    /** Built-in routes plus {@link Route#parse parsed} configured ones. */
    public static LlmEndpoints withRoutes(List<String> specs) {
        List<Route> routes = new ArrayList<>();
        for (String s : specs) {
            routes.add(Route.parse(s));
        }
        return new LlmEndpoints(routes);
    }

    /** The endpoint of an HTTP request, or empty when it is not an LLM route. */
    public Optional<LlmEndpoint> recognize(L7Message request) {
        if (request.protocol() != L7Protocol.HTTP1 && request.protocol() != L7Protocol.HTTP2) {
            return Optional.empty();
        }
        String path = path(request.requestResource());
        if (path == null) {
            return Optional.empty();
        }
        if ("POST".equals(request.requestType())) {
            LlmEndpoint builtIn = builtIn(path);
            if (builtIn != null) {
                return Optional.of(builtIn);
            }
        }
        for (Route r : routes) {
            if (r.path().matcher(path).matches()) {
                return Optional.of(r.endpoint());
            }
        }
        return Optional.empty();
    }

    private static LlmEndpoint builtIn(String path) {
        if (path.endsWith("/v1/chat/completions")) {
            return OPENAI_CHAT;
        }
        if (path.endsWith("/v1/completions")) {
            return OPENAI_COMPLETION;
        }
        return switch (path) {
            case "/generate" -> TGI_GENERATE;
            case "/generate_stream" -> TGI_GENERATE_STREAM;
            case "/api/generate" -> OLLAMA_GENERATE;
            case "/api/chat" -> OLLAMA_CHAT;
            default -> null;
        };
    }

    /** The path of a request target: origin-form as is, absolute-form without scheme and authority, no query. */
    static String path(String target) {
        if (target == null || target.isEmpty()) {
            return null;
        }
        String p = target;
        int scheme = p.indexOf("://");
        if (scheme > 0 && p.charAt(0) != '/') {
            int slash = p.indexOf('/', scheme + 3);
            p = slash < 0 ? "/" : p.substring(slash);
        }
        int q = p.indexOf('?');
        if (q >= 0) {
            p = p.substring(0, q);
        }
        int h = p.indexOf('#');
        if (h >= 0) {
            p = p.substring(0, h);
        }
        // a trailing slash is the same route to every server we know
        if (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }
}
