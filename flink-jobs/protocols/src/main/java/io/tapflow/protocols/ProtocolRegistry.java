package io.tapflow.protocols;

import io.tapflow.protocols.dns.DnsParser;
import io.tapflow.protocols.http1.Http1Parser;
import io.tapflow.protocols.http2.Http2Parser;
import io.tapflow.protocols.kafka.KafkaParser;
import io.tapflow.protocols.mqtt.MqttParser;
import io.tapflow.protocols.mysql.MySqlParser;
import io.tapflow.protocols.postgresql.PostgresParser;
import io.tapflow.protocols.redis.RedisParser;
import io.tapflow.schema.L7Protocol;
import java.util.List;
import java.util.Optional;

/**
 * The parsers tapflow knows, in priority order: when two parsers are equally confident about a payload, the one
 * listed first wins. Detection asks every parser's allocation-free {@code matches}; no chain of ifs.
 */
public final class ProtocolRegistry {

    /** A parser and how confident it is about a payload. */
    public record Detection(ProtocolParser parser, int confidence) {
    }

    private final List<ProtocolParser> parsers;

    public ProtocolRegistry(List<ProtocolParser> parsers) {
        this.parsers = List.copyOf(parsers);
    }

    /** Every parser of tapflow, highest priority first. */
    public static ProtocolRegistry defaults(ParserOptions options) {
        return new ProtocolRegistry(List.of(
                // HTTP/2 first: its client preface "PRI * HTTP/2.0" also reads as an HTTP/1 request line, and the
                // preface is the one sure sign of HTTP/2, so it must win that tie; its guesses from a bare frame
                // header are only LOW/MEDIUM and lose to any protocol with a stronger signature
                new Http2Parser(options),
                // HTTP/1 next: its start lines ("GET /x HTTP/1.1", "HTTP/1.1 200") are unambiguous (HIGH) and it
                // is the most common protocol, so ties with a looser guess of another text protocol go to it.
                new Http1Parser(options),
                // Redis: a client's "*<n>\r\n$" is unambiguous (HIGH); its MEDIUM guesses on bare reply lines
                // ("+OK\r\n", ":1\r\n") should lose ties to the text protocols with stronger signatures.
                new RedisParser(options),
                // SQL protocols: binary framings whose strong signatures (PostgreSQL's startup codes, MySQL's
                // greeting) are unambiguous, but whose weaker ones (a length prefix and a command byte) could match
                // other binary protocols' bytes; listed after the text protocols so that ties go to those.
                new PostgresParser(options),
                new MySqlParser(options),
                // MQTT: its CONNECT is unmistakable (HIGH) but a bare fixed header is only LOW, so text protocols
                // listed before it win ties; ahead of Kafka because a Kafka size prefix says even less
                new MqttParser(options),
                // Kafka: a length prefix plus api key/version is MEDIUM at best: the most generic framing
                new KafkaParser(options),
                // DNS last: a binary header with no magic; its best guess (a well-formed header and question) is
                // only MEDIUM-ish, so every protocol with a real signature must win ties against it.
                new DnsParser(options)
        ));
    }

    public List<ProtocolParser> parsers() {
        return parsers;
    }

    /** The parser of a protocol, if registered. */
    public Optional<ProtocolParser> parser(L7Protocol protocol) {
        return parsers.stream().filter(p -> p.protocol() == protocol).findFirst();
    }

    /** The most confident parser for a payload at or above {@code minConfidence}, ties to the earlier one. */
    public Optional<Detection> detect(byte[] payload, int offset, int length, FlowDirection direction,
                                      int minConfidence) {
        ProtocolParser best = null;
        int bestConfidence = minConfidence - 1;
        for (ProtocolParser parser : parsers) {
            int c = parser.matches(payload, offset, length, direction);
            if (c > bestConfidence) {
                best = parser;
                bestConfidence = c;
            }
        }
        return best == null ? Optional.empty() : Optional.of(new Detection(best, bestConfidence));
    }
}
