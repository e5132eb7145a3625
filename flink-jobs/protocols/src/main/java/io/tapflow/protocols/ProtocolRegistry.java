package io.tapflow.protocols;

import io.tapflow.protocols.http1.Http1Parser;
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
                // HTTP/1 first: its start lines are unambiguous (HIGH) and it is the most common protocol, so
                // ties with a looser matcher of another text protocol should go to it.
                new Http1Parser(options)
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
