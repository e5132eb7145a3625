package io.tapflow.protocols.mysql;

import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.ParserOptions;
import io.tapflow.protocols.ProtocolParser;
import io.tapflow.protocols.StreamDecoder;
import io.tapflow.schema.L7Protocol;

/**
 * MySQL / MariaDB client/server protocol (v10, 4.1 packets): commands and their responses, paired in order
 * ({@link io.tapflow.protocols.L7Message#IN_ORDER}). Requests: {@link MySqlRequestDecoder}; responses:
 * {@link MySqlResponseDecoder}. A connection that switches to TLS is reported once and not decoded further.
 */
public final class MySqlParser implements ProtocolParser {

    private final ParserOptions options;

    public MySqlParser(ParserOptions options) {
        this.options = options;
    }

    @Override
    public L7Protocol protocol() {
        return L7Protocol.MYSQL;
    }

    @Override
    public int matches(byte[] b, int off, int len, FlowDirection direction) {
        if (len < 5) {
            return NO;
        }
        int payload = MySqlPackets.payloadLength(b, off);
        int seq = MySqlPackets.sequence(b, off);
        int first = b[off + 4] & 0xFF;
        boolean exact = payload + 4 == len;
        if (payload == 0 || payload + 4 < len && !exact) {
            return NO; // one packet per call is the rule for the first packet of an exchange
        }
        if (direction == FlowDirection.CLIENT_TO_SERVER) {
            if (seq == 1 && payload >= 32 && len >= 8 && (b[off + 5] & 0x02) != 0) {
                return exact ? MEDIUM + 10 : LOW; // handshake response / SSL request: CLIENT_PROTOCOL_41 set
            }
            if (seq != 0) {
                return NO;
            }
            if (first == 0x03 || first == 0x16) { // COM_QUERY, COM_STMT_PREPARE: SQL text follows
                if (payload == 1) {
                    return NO;
                }
                int c = b[off + 5] & 0xFF;
                boolean text = c >= 'A' && c <= 'z' || c == ' ' || c == '(' || c == '/' || c == '\n' || c == '-';
                return !text ? NO : exact ? MEDIUM + 10 : LOW + 10;
            }
            if ((first == 0x01 || first == 0x0E) && payload == 1 && exact) {
                return LOW; // COM_QUIT, COM_PING
            }
            if ((first == 0x17 || first == 0x19) && payload >= 5 && exact) {
                return LOW; // COM_STMT_EXECUTE, COM_STMT_CLOSE
            }
            return first == 0x02 && exact ? LOW : NO;
        }
        if (seq == 0 && first == 0x0A && len >= 7 && b[off + 5] >= '0' && b[off + 5] <= '9') {
            return exact ? HIGH : MEDIUM; // handshake v10 greeting: "10.11.6-MariaDB…", "8.0.36"
        }
        if (seq == 1 && first == 0xFF && len >= 12 && b[off + 7] == '#') {
            return exact ? MEDIUM + 10 : MEDIUM; // ERR with SQLSTATE
        }
        if (seq == 1 && first == 0x00 && payload >= 7 && exact) {
            return LOW; // OK
        }
        return NO;
    }

    @Override
    public StreamDecoder newDecoder(FlowDirection direction) {
        return direction == FlowDirection.CLIENT_TO_SERVER ? new MySqlRequestDecoder(options)
                : new MySqlResponseDecoder(options);
    }
}
