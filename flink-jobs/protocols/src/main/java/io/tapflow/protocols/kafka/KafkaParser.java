package io.tapflow.protocols.kafka;

import io.tapflow.protocols.ByteReader;
import io.tapflow.protocols.ConnectionDecoders;
import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.ParserOptions;
import io.tapflow.protocols.ProtocolParser;
import io.tapflow.protocols.StreamDecoder;
import io.tapflow.schema.L7Protocol;

/**
 * The Kafka wire protocol (all api keys up to Kafka 4.2).
 *
 * <p><b>Requests</b> (client to server): {@code int32 size}, request header v1 (api_key, api_version,
 * correlation_id, client_id) or v2 (plus tagged fields, for flexible versions). Emitted with request_type = the API
 * name (Produce, Fetch, Metadata, ApiVersions, FindCoordinator, JoinGroup…), version = the api version, pairId =
 * correlation id, attribute {@code kafka.client_id}. Produce (v0-v13), Fetch (v0-v18) and Metadata (v0-v13) also
 * yield their topics:
 * request_resource = the first topic, {@code kafka.topics} (or {@code kafka.topic_ids} for the versions that name
 * topics by id only: Produce v13+, Fetch v13+) = the topics read, bounded, {@code kafka.topic_count} when several;
 * Produce adds {@code kafka.acks} and {@code kafka.transactional_id}, and {@code one_way=true} for acks=0, whose
 * requests get no response. Other APIs and newer versions are decoded header-only.
 *
 * <p><b>Responses</b> (server to client): {@code int32 size} + correlation id, emitted with pairId = correlation id.
 * Where a response's header ends (ApiVersions responses always use header v0) and where its error code sits depend
 * on the api key and version of the request it answers, so the two decoders of a connection made by
 * {@link #newConnection()} share a bounded map correlation id → (api key, api version) ({@link KafkaInflight}).
 * A response whose request was seen carries the request's API name and version in the same fields as the request
 * (request_type, version), and for the APIs {@link KafkaResponseBody} lists response_code = the Kafka error code,
 * response_status by {@link KafkaErrors}' rule and, for a non-zero code, response_exception = the error name
 * (e.g. {@code UNKNOWN_TOPIC_OR_PARTITION}). Other responses (other APIs, a request not seen, a decoder made by
 * {@link #newDecoder} alone) carry the correlation id only, status UNKNOWN; the pairing stage still joins them to
 * their request by correlation id.
 *
 * <p>Every message is skipped by its declared size, so a Produce request whose record batch was captured only as a
 * prefix keeps the stream in sync.
 */
public final class KafkaParser implements ProtocolParser {

    /** Highest api version accepted as plausible (Kafka 4.2's highest is Fetch v18). */
    static final int MAX_VERSION = 63;

    private final ParserOptions options;

    public KafkaParser(ParserOptions options) {
        this.options = options;
    }

    @Override
    public L7Protocol protocol() {
        return L7Protocol.KAFKA;
    }

    /**
     * Requests: a plausible size, a known api key, a small version and a client id that fits and is printable —
     * MEDIUM, more when the size matches the payload exactly. Responses carry only size and correlation id, so they
     * are at most LOW, and only when the size matches the payload exactly.
     */
    @Override
    public int matches(byte[] p, int off, int len, FlowDirection direction) {
        if (len < 8) {
            return NO;
        }
        int size = ByteReader.i32(p, off);
        if (direction == FlowDirection.SERVER_TO_CLIENT) {
            return size >= 4 && size <= KafkaDecoder.MAX_RESPONSE_SIZE && size == len - 4 ? LOW : NO;
        }
        if (len < 14 || size < KafkaDecoder.MIN_REQUEST_SIZE || size > KafkaDecoder.MAX_REQUEST_SIZE) {
            return NO;
        }
        int apiKey = ByteReader.i16(p, off + 4);
        int apiVersion = ByteReader.i16(p, off + 6);
        if (!KafkaApis.known(apiKey) || apiVersion < 0 || apiVersion > MAX_VERSION) {
            return NO;
        }
        int clientIdLen = ByteReader.i16(p, off + 12);
        if (clientIdLen < -1 || clientIdLen > size - MIN_HEADER) {
            return NO;
        }
        int confidence = MEDIUM;
        if (clientIdLen > 0) {
            int end = Math.min(len, 14 + clientIdLen);
            for (int i = off + 14; i < off + end; i++) {
                if (p[i] < 0x20 || p[i] > 0x7E) {
                    return LOW;
                }
            }
        }
        if (size == len - 4) {
            confidence += 15;
        }
        return confidence;
    }

    private static final int MIN_HEADER = 10;

    /** A decoder that sees one direction only: responses carry the correlation id and no code. */
    @Override
    public StreamDecoder newDecoder(FlowDirection direction) {
        return new KafkaDecoder(options, direction, null);
    }

    /** Both decoders of a connection, sharing the requests awaiting a response so responses decode their code. */
    @Override
    public ConnectionDecoders newConnection() {
        KafkaInflight inflight = new KafkaInflight();
        return new ConnectionDecoders(new KafkaDecoder(options, FlowDirection.CLIENT_TO_SERVER, inflight),
                new KafkaDecoder(options, FlowDirection.SERVER_TO_CLIENT, inflight));
    }
}
