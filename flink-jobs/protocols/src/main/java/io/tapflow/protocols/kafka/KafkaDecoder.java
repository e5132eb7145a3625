package io.tapflow.protocols.kafka;

import io.tapflow.protocols.AbstractStreamDecoder;
import io.tapflow.protocols.ByteReader;
import io.tapflow.protocols.DecodeError;
import io.tapflow.protocols.DeclaredBody;
import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.MessageKind;
import io.tapflow.protocols.MessageSink;
import io.tapflow.protocols.ParserOptions;
import io.tapflow.schema.L7Protocol;

/**
 * Decodes one direction of a Kafka connection: a stream of {@code int32 size} framed requests (client to server)
 * or responses (server to client).
 *
 * <p>A message is decoded from its first captured bytes — at most {@link #WINDOW} of them, the rest of the
 * message is skipped by its declared size whether captured or not — and emitted once its last byte has passed,
 * so its end time is the time of the call that carried that byte.
 *
 * <p>A response's header is v0 (correlation id) or v1 (plus tagged fields), and where its error code sits depends
 * on the request's api key and version, which only the other direction's decoder sees (an ApiVersions response even
 * keeps header v0 when the request was flexible). The decoders of one connection made by
 * {@link KafkaParser#newConnection()} share a {@link KafkaInflight}: the request decoder remembers each request that
 * expects a response, the response decoder looks its correlation id up and, when found, decodes the error code
 * ({@link KafkaResponseBody}). A decoder made alone ({@code inflight} null), or a response whose request was not
 * seen, emits the correlation id only. See {@link KafkaParser}.
 */
final class KafkaDecoder extends AbstractStreamDecoder {

    /** Captured bytes of a message decoded at most: the header and a Produce/Fetch topic list fit easily. */
    static final int WINDOW = 4096;
    /** Smallest request: api_key, api_version, correlation_id and a null client_id. */
    static final int MIN_REQUEST_SIZE = 10;
    /** Largest size accepted (Kafka's socket.request.max.bytes default is 100 MiB; fetch responses may be larger). */
    static final int MAX_REQUEST_SIZE = 256 << 20;
    static final int MAX_RESPONSE_SIZE = 1 << 30;

    private final boolean requests;
    private final int window;
    /** The connection's requests awaiting a response, shared with the other direction's decoder; may be null. */
    private final KafkaInflight inflight;

    /**
     * The rest of the current message, from its header to its last byte, and the message it emits then (none when
     * its header was not captured).
     */
    private final DeclaredBody body = new DeclaredBody();

    KafkaDecoder(ParserOptions options, FlowDirection direction, KafkaInflight inflight) {
        super(options);
        this.requests = direction == FlowDirection.CLIENT_TO_SERVER;
        this.window = Math.min(WINDOW, options.maxBufferedBytes());
        this.inflight = inflight;
    }

    @Override
    protected Step decode(MessageSink out) {
        return body.active() ? skipBody(out) : header(out);
    }

    private Step header(MessageSink out) {
        int captured = in.contiguous();
        if (captured < 4) {
            return Step.NEED_MORE;
        }
        byte[] b = in.array();
        int s = in.start();
        int size = ByteReader.i32(b, s);
        if (size < (requests ? MIN_REQUEST_SIZE : 4) || size > (requests ? MAX_REQUEST_SIZE : MAX_RESPONSE_SIZE)) {
            return malformed("message size " + size + " out of range");
        }
        long total = 4L + size;
        int want = (int) Math.min(total, requests ? window : responseWindow(b, s, captured));
        boolean holeInside = false;
        if (captured < want) {
            if (captured == in.available()) {
                return Step.NEED_MORE; // the rest may still arrive
            }
            holeInside = true; // the collector did not capture the rest: decode what we have
        }
        int limit = (int) Math.min(total, captured);
        long startPos = in.position();
        L7Message.Builder m = requests ? request(b, s + 4, s + limit) : response(b, s + 4, s + limit);
        if (m != null) {
            m.start(in.origin(startPos)).length(total);
        } else if (requests && !holeInside) {
            return malformed("request header does not parse");
        } else {
            // the size is known, so the message is skipped without losing sync
            out.error(new DecodeError(DecodeError.Kind.UNCAPTURED, "message header not captured", startPos));
        }
        in.mark(startPos);
        body.begin(total, m);
        return skipBody(out);
    }

    /** Consumes the rest of the current message, captured or not; emits it once its last byte passed. */
    private Step skipBody(MessageSink out) {
        if (body.consume(in, out)) {
            reset();
            in.mark(-1);
        }
        return Step.PROGRESS;
    }

    /** Request header v1/v2 and, for Produce and Fetch, the topics; null when the header itself is cut. */
    private L7Message.Builder request(byte[] b, int from, int to) {
        KafkaReader r = new KafkaReader(b, from, to);
        int apiKey = r.i16();
        int apiVersion = r.i16();
        int correlationId = r.i32();
        if (!r.ok()) {
            return null;
        }
        if (apiKey < 0 || apiVersion < 0 || apiVersion > KafkaParser.MAX_VERSION) {
            return null;
        }
        L7Message.Builder m = L7Message.builder(L7Protocol.KAFKA, MessageKind.REQUEST)
                .version(Integer.toString(apiVersion))
                .requestType(KafkaApis.name(apiKey))
                .pairId(correlationId & 0xFFFF_FFFFL);
        String clientId = r.string();
        if (!r.ok()) {
            remember(correlationId, apiKey, apiVersion);
            return m;
        }
        m.attribute("kafka.client_id", clientId);
        if (KafkaApis.flexible(apiKey, apiVersion)) {
            r.skipTaggedFields();
        }
        KafkaRequestBody body = r.ok() ? KafkaRequestBody.read(apiKey, apiVersion, r) : null;
        if (body != null) {
            if (body.firstTopic != null) {
                m.requestResource(body.firstTopic);
                m.attribute(body.topicIds ? "kafka.topic_ids" : "kafka.topics", body.topics.toString());
                if (body.count() > 1) {
                    m.attribute("kafka.topic_count", Integer.toString(body.count()));
                }
            }
            if (body.acks != Integer.MIN_VALUE) {
                m.attribute("kafka.acks", Integer.toString(body.acks));
                if (body.acks == 0) {
                    m.attribute("one_way", "true"); // acks=0: the broker sends no response
                }
            }
            m.attribute("kafka.transactional_id", body.transactionalId);
        }
        if (body == null || body.acks != 0) { // acks=0 Produce requests get no response
            remember(correlationId, apiKey, apiVersion);
        }
        return m;
    }

    private void remember(int correlationId, int apiKey, int apiVersion) {
        if (inflight != null) {
            inflight.remember(correlationId, apiKey, apiVersion);
        }
    }

    /**
     * Bytes of a response to decode: the window when its request is known and its error code is decoded, else
     * size and correlation id only.
     */
    private int responseWindow(byte[] b, int s, int captured) {
        if (inflight == null || captured < 8) {
            return 8;
        }
        int api = inflight.peek(ByteReader.i32(b, s + 4));
        return api != KafkaInflight.NONE
                && KafkaResponseBody.decodes(KafkaInflight.apiKey(api), KafkaInflight.apiVersion(api)) ? window : 8;
    }

    /**
     * Response header and, when the request was seen, its API name and version (as the request carries them) and
     * the error code: response_code, response_status by {@link KafkaErrors}, response_exception = the error name.
     */
    private L7Message.Builder response(byte[] b, int from, int to) {
        KafkaReader r = new KafkaReader(b, from, to);
        int correlationId = r.i32();
        if (!r.ok()) {
            return null;
        }
        L7Message.Builder m = L7Message.builder(L7Protocol.KAFKA, MessageKind.RESPONSE)
                .pairId(correlationId & 0xFFFF_FFFFL);
        int api = inflight == null ? KafkaInflight.NONE : inflight.take(correlationId);
        if (api == KafkaInflight.NONE) {
            return m;
        }
        int apiKey = KafkaInflight.apiKey(api);
        int apiVersion = KafkaInflight.apiVersion(api);
        m.requestType(KafkaApis.name(apiKey)).version(Integer.toString(apiVersion));
        if (apiKey != KafkaApis.API_VERSIONS && KafkaApis.flexible(apiKey, apiVersion)) {
            r.skipTaggedFields(); // response header v1
        }
        int code = r.ok() ? KafkaResponseBody.errorCode(apiKey, apiVersion, r) : KafkaResponseBody.NO_CODE;
        if (code != KafkaResponseBody.NO_CODE) {
            m.responseCode(code).responseStatus(KafkaErrors.status(code));
            if (code != 0) {
                m.responseException(KafkaErrors.name(code));
            }
        }
        return m;
    }

    @Override
    protected void reset() {
        body.clear();
    }
}
