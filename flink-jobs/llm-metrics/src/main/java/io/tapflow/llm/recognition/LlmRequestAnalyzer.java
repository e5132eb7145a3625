package io.tapflow.llm.recognition;

import io.tapflow.protocols.L7Message;
import io.tapflow.schema.LlmRequest;
import io.tapflow.schema.ResponseStatus;
import java.io.Serializable;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns one {@link LlmExchange} into the {@link LlmRequest} record: what the request body, the response's stream
 * events or JSON body and the capture times say. Pure and deterministic: the same exchange always yields the same
 * record (the request id hashes agent, socket and data_seq of the request's first byte). Bad input never throws:
 * it yields a record whose {@code error} says what was wrong, and {@link Analysis#malformedParts()} counts it.
 *
 * <p>Rules beyond the contract docs: a stream that ended without its dialect's terminal event, or that carried an
 * error event (a server error mid-stream), is incomplete; an
 * HTTP error response without usage estimates 0 input tokens (providers do not bill rejected requests); input
 * tokens are estimated as prompt characters / 4, rounded up; output tokens of a stream without usage are its
 * content-bearing events (servers send about one token per event), of a JSON body without usage its text / 4.
 */
public final class LlmRequestAnalyzer implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Characters per token of the estimates (the usual rule of thumb for English BPE vocabularies). */
    static final int CHARS_PER_TOKEN = 4;

    private final LlmEndpoints endpoints;
    private final TenantResolver tenants;

    public LlmRequestAnalyzer(LlmEndpoints endpoints, TenantResolver tenants) {
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
        this.tenants = Objects.requireNonNull(tenants, "tenants");
    }

    /** The analysis of an exchange on an LLM route; empty for other HTTP traffic. */
    public Optional<Analysis> analyze(LlmExchange exchange) {
        return endpoints.recognize(exchange.request()).map(endpoint -> analyze(exchange, endpoint));
    }

    /** The analysis of an exchange already recognised as {@code endpoint}. */
    public Analysis analyze(LlmExchange exchange, LlmEndpoint endpoint) {
        L7Message request = exchange.request();
        L7Message response = exchange.response();
        LlmExchange.Context ctx = exchange.context();
        RequestBody body = RequestBody.read(request.body(), request.truncated());
        ResponseScan scan = new ResponseScan(endpoint.dialect());
        if (response != null) {
            scan.scan(response);
        }
        boolean ended = ctx.end() == LlmExchange.End.RESPONSE_ENDED && response != null && !response.truncated();
        boolean complete = response != null && ctx.end() != LlmExchange.End.TIMEOUT
                && (scan.streamed ? scan.terminal && scan.providerError == null : ended);
        boolean stream = response != null && (scan.streamed || !response.events().isEmpty())
                || response == null && (body.stream() != null ? body.stream() : endpoint.streamDefault());

        long startNs = request.startTimestampNs();
        long endNs = ended ? response.endTimestampNs() : Math.max(ctx.endTimestampNs(),
                response == null ? startNs : response.endTimestampNs());
        long e2eUs = Math.max(0, (endNs - startNs) / 1_000);

        Integer code = response == null ? null : response.responseCode();
        ResponseStatus status = status(ctx.end(), response);
        boolean httpError = code != null && code >= 400;

        boolean estimated = false;
        long input;
        if (scan.promptTokens != null) {
            input = scan.promptTokens;
        } else {
            estimated = true;
            input = httpError ? 0 : ceilDiv(body.promptChars(), CHARS_PER_TOKEN);
        }
        long output;
        if (scan.completionTokens != null) {
            output = scan.completionTokens;
        } else {
            estimated = true;
            output = scan.streamed ? scan.contentEvents : ceilDiv(scan.textChars, CHARS_PER_TOKEN);
        }

        Long ttftUs = null;
        Long tpotUs = null;
        Double tokensPerSecond = null;
        if (scan.streamed && scan.firstTokenNs >= 0) {
            ttftUs = Math.max(0, (scan.firstTokenNs - startNs) / 1_000);
            long spanNs = scan.lastTokenNs - scan.firstTokenNs;
            if (output >= 2) {
                tpotUs = Math.round(spanNs / 1_000.0 / (output - 1));
            }
            if (output > 0 && spanNs > 0) {
                tokensPerSecond = output / (spanNs / 1e9);
            }
        } else if (!scan.streamed && output > 0 && e2eUs > 0) {
            tokensPerSecond = output / (e2eUs / 1e6);
        }

        String model = body.model() != null ? body.model() : scan.model != null ? scan.model : "unknown";
        LlmRequest record = LlmRequest.newBuilder()
                .setRequestId(Hashes.id(ctx.agentId(), ctx.socketId(), ctx.requestDataSeq()))
                .setAgentId(ctx.agentId())
                .setService(ctx.service())
                .setProvider(endpoint.provider())
                .setModel(model)
                .setOperation(endpoint.operation())
                .setStream(stream)
                .setObservationPoint(ctx.observationPoint())
                .setTenant(tenants.tenant(request))
                .setStartTimeUs(startNs / 1_000)
                .setTtftUs(ttftUs)
                .setTpotUs(tpotUs)
                .setE2eUs(e2eUs)
                .setInputTokens(input)
                .setOutputTokens(output)
                .setTokensEstimated(estimated)
                .setTokensPerSecond(tokensPerSecond)
                .setFinishReason(scan.finishReason)
                .setStatus(status)
                .setResponseCode(code)
                .setComplete(complete)
                .setError(error(scan, body, ctx, response, complete))
                .build();
        return new Analysis(record, scan.malformed + (body.error() != null && !request.truncated() ? 1 : 0));
    }

    private static ResponseStatus status(LlmExchange.End end, L7Message response) {
        if (end == LlmExchange.End.TIMEOUT) {
            return ResponseStatus.TIMEOUT;
        }
        return response == null ? ResponseStatus.UNKNOWN : response.responseStatus();
    }

    /** The provider's error first, then why the exchange is incomplete, then what could not be read. */
    private static String error(ResponseScan scan, RequestBody body, LlmExchange.Context ctx, L7Message response,
            boolean complete) {
        if (scan.providerError != null) {
            return scan.providerError;
        }
        if (response != null && response.responseException() != null && response.responseCode() != null
                && response.responseCode() >= 400) {
            return response.responseException();
        }
        String incomplete = null;
        if (!complete) {
            incomplete = switch (ctx.end()) {
                case TIMEOUT -> response == null ? "no response within the timeout"
                        : "response did not end within the timeout";
                case CUT -> response == null ? "connection closed before a response"
                        : "stream cut: connection closed before the response ended";
                case RESPONSE_ENDED -> response == null ? "no response"
                        : "response ended without the stream's terminal event";
            };
        }
        String read = scan.problem != null ? scan.problem : body.error();
        if (incomplete != null && read != null) {
            return incomplete + "; " + read;
        }
        return incomplete != null ? incomplete : read;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
