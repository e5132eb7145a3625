package io.tapflow.llm.recognition;

import io.tapflow.protocols.L7Message;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The billing tenant of a request: SHA-256 (lower-case hex, 32 chars) of a salt and the value of the configured
 * tenant header, else of the API key ({@code Authorization: Bearer <key>}, else {@code x-api-key}); empty when the
 * request carried none. The key is read from the request's header attributes (the HTTP parser copies the headers
 * of {@link #headersToCapture()} when they are listed in {@code ParserOptions.extraHeaders}) and is never returned,
 * logged or stored by this class.
 *
 * <p>Keys should not sit in checkpoints either: the front end holds a request in keyed state until its response
 * ends (a stream lasts seconds to minutes), so it should pass each request through {@link #redact} as soon as it is
 * decoded. The redacted request carries the tenant hash in {@value #TENANT_ATTRIBUTE} and none of the key headers;
 * {@link #tenant} prefers that attribute.
 */
public final class TenantResolver implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Attribute a {@link #redact redacted} request carries the tenant hash in. */
    public static final String TENANT_ATTRIBUTE = "llm.tenant";

    private static final String HEADER_PREFIX = "http.request.header.";
    private static final String AUTHORIZATION = "authorization";
    private static final String X_API_KEY = "x-api-key";

    private final String tenantHeader;
    private final byte[] salt;

    /**
     * @param tenantHeader header that names the tenant (any case), or null to bill by API key only
     * @param salt         secret mixed into every hash, so that tenant ids cannot be reversed by hashing guesses
     */
    public TenantResolver(String tenantHeader, String salt) {
        this.tenantHeader = tenantHeader == null || tenantHeader.isBlank()
                ? null : tenantHeader.trim().toLowerCase(Locale.ROOT);
        this.salt = Objects.requireNonNull(salt, "salt").getBytes(StandardCharsets.UTF_8);
    }

    /** The headers the HTTP parser must copy (ParserOptions.extraHeaders) for this resolver to see the tenant. */
    public List<String> headersToCapture() {
        return tenantHeader == null ? List.of(AUTHORIZATION, X_API_KEY) : List.of(tenantHeader, AUTHORIZATION, X_API_KEY);
    }

    /** The tenant of {@code request}, or "" when it carried neither the tenant header nor an API key. */
    public String tenant(L7Message request) {
        String hashed = request.attributes().get(TENANT_ATTRIBUTE);
        return hashed != null ? hashed : compute(request.attributes());
    }

    /**
     * A copy of {@code request} without the key headers and with the tenant hash in {@value #TENANT_ATTRIBUTE};
     * the request itself when it carries no key header.
     */
    public L7Message redact(L7Message request) {
        Map<String, String> attributes = request.attributes();
        if (headersToCapture().stream().noneMatch(h -> attributes.containsKey(HEADER_PREFIX + h))) {
            return request;
        }
        L7Message.Builder b = L7Message.builder(request.protocol(), request.kind())
                .version(request.version()).requestType(request.requestType())
                .requestDomain(request.requestDomain()).requestResource(request.requestResource())
                .pairId(request.pairId()).responseCode(request.responseCode())
                .responseStatus(request.responseStatus()).responseException(request.responseException())
                .length(request.length()).truncated(request.truncated())
                .startTimestampNs(request.startTimestampNs()).endTimestampNs(request.endTimestampNs())
                .startTcpSeq(request.startTcpSeq()).threadTraceId(request.threadTraceId())
                .traceContext(request.traceContext()).xRequestId(request.xRequestId())
                .body(request.body()).events(request.events(), request.eventsTruncated());
        for (Map.Entry<String, String> a : attributes.entrySet()) {
            if (!isKeyHeader(a.getKey())) {
                b.attribute(a.getKey(), a.getValue());
            }
        }
        b.attribute(TENANT_ATTRIBUTE, compute(attributes));
        return b.build();
    }

    private boolean isKeyHeader(String attribute) {
        return attribute.startsWith(HEADER_PREFIX)
                && headersToCapture().contains(attribute.substring(HEADER_PREFIX.length()));
    }

    private String compute(Map<String, String> attributes) {
        if (tenantHeader != null) {
            String v = attributes.get(HEADER_PREFIX + tenantHeader);
            if (v != null && !v.isBlank()) {
                return hash("header", v.trim());
            }
        }
        String key = bearer(attributes.get(HEADER_PREFIX + AUTHORIZATION));
        if (key == null) {
            String x = attributes.get(HEADER_PREFIX + X_API_KEY);
            key = x == null || x.isBlank() ? null : x.trim();
        }
        return key == null ? "" : hash("key", key);
    }

    private static String bearer(String authorization) {
        if (authorization == null) {
            return null;
        }
        String v = authorization.trim();
        if (v.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = v.substring(7).trim();
            return token.isEmpty() ? null : token;
        }
        return null;
    }

    /** Header tenants and API keys hash in separate domains, so a header value never poses as a key. */
    private String hash(String domain, String value) {
        MessageDigest sha = Hashes.sha256();
        sha.update(salt);
        sha.update((byte) 0);
        sha.update(domain.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(value.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(sha.digest(), 0, 16);
    }
}
