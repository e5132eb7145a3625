package io.tapflow.protocols.mqtt;

import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.ParserOptions;
import io.tapflow.protocols.ProtocolParser;
import io.tapflow.protocols.StreamDecoder;
import io.tapflow.schema.L7Protocol;

/**
 * MQTT 3.1, 3.1.1 and 5.0 over TCP.
 *
 * <p>Every control packet becomes a message (request_type = the packet type for requests, attribute
 * {@code mqtt.packet_type} for responses; version = "3.1", "3.1.1" or "5" once the connection's CONNECT — client
 * side — or CONNACK — server side, 2 bytes in 3.1.1, longer in 5.0 — was seen; before that 5.0 properties cannot
 * be told from payload and are not read). Requests and what answers them:
 * <ul>
 *   <li>CONNECT → CONNACK, in order (no packet id). CONNECT yields {@code mqtt.client_id}, {@code mqtt.keep_alive},
 *       {@code mqtt.clean_session}; user name and password are never read. CONNACK: response_code = the 3.1.1
 *       return code or the 5.0 reason code, status and text per {@link MqttReasonCodes} (a refused CONNECT is
 *       CLIENT_ERROR unless the server says it is unavailable/busy).</li>
 *   <li>PUBLISH QoS 1 → PUBACK; PUBLISH QoS 2 → PUBREC, then PUBREL → PUBCOMP; all paired by packet id.
 *       PUBLISH QoS 0 has no response ({@code one_way=true}). request_resource = topic (null when a 5.0 topic
 *       alias replaces it: {@code mqtt.topic_alias}); {@code mqtt.qos}, {@code mqtt.retain}, {@code mqtt.dup};
 *       5.0 user properties are the message's headers and go through the trace header collector (traceparent,
 *       b3…), with {@code mqtt.content_type} and {@code mqtt.response_topic}. The payload is skipped by length.
 *       A PUBLISH from the server (a delivery to a subscriber) is a request travelling server → client, and the
 *       subscriber's PUBACK/PUBREC is its response.</li>
 *   <li>SUBSCRIBE → SUBACK, UNSUBSCRIBE → UNSUBACK, by packet id: request_resource = the first topic filter,
 *       {@code mqtt.topics} = all (bounded); the acknowledgement's reason codes in {@code mqtt.reason_codes},
 *       response_code = the first failure, else the first code (the granted QoS).</li>
 *   <li>PINGREQ → PINGRESP, in order. DISCONNECT (either side) is one-way; a 5.0 reason code goes to
 *       {@code mqtt.reason_code}. AUTH (5.0) is a request from the client and a response from the server, in
 *       order.</li>
 * </ul>
 */
public final class MqttParser implements ProtocolParser {

    private final ParserOptions options;

    public MqttParser(ParserOptions options) {
        this.options = options;
    }

    @Override
    public L7Protocol protocol() {
        return L7Protocol.MQTT;
    }

    /**
     * A CONNECT with the protocol name and a known level is unmistakable: HIGH. A CONNACK whose length matches the
     * payload: MEDIUM. Any other packet whose fixed header is valid and whose length matches the payload exactly is
     * only LOW (two bytes of fixed header say little), for flows captured after their CONNECT.
     */
    @Override
    public int matches(byte[] p, int off, int len, FlowDirection direction) {
        if (len < 2) {
            return NO;
        }
        int type = (p[off] & 0xFF) >>> 4;
        int flags = p[off] & 0x0F;
        if (!validFlags(type, flags)) {
            return NO;
        }
        int remaining = 0;
        int headerLen = 1;
        while (true) {
            if (headerLen >= len || headerLen == 5) {
                return NO;
            }
            int digit = p[off + headerLen] & 0xFF;
            remaining |= (digit & 0x7F) << (7 * (headerLen - 1));
            headerLen++;
            if ((digit & 0x80) == 0) {
                break;
            }
        }
        if (!validLength(type, remaining)) {
            return NO;
        }
        boolean exact = headerLen + remaining == len;
        if (type == MqttPackets.CONNECT && direction == FlowDirection.CLIENT_TO_SERVER) {
            return connectName(p, off + headerLen, off + len) ? HIGH : NO;
        }
        if (type == MqttPackets.CONNACK && direction == FlowDirection.SERVER_TO_CLIENT && exact) {
            int ackFlags = p[off + headerLen] & 0xFF;
            return ackFlags <= 1 ? MEDIUM : NO;
        }
        return exact ? LOW : NO;
    }

    /** {@code 00 04 "MQTT"} + level 4 or 5, or {@code 00 06 "MQIsdp"} + level 3. */
    private static boolean connectName(byte[] p, int i, int end) {
        if (end - i >= 7 && p[i] == 0 && p[i + 1] == 4 && p[i + 2] == 'M' && p[i + 3] == 'Q' && p[i + 4] == 'T'
                && p[i + 5] == 'T') {
            return p[i + 6] == 4 || p[i + 6] == 5;
        }
        return end - i >= 9 && p[i] == 0 && p[i + 1] == 6 && p[i + 2] == 'M' && p[i + 3] == 'Q' && p[i + 4] == 'I'
                && p[i + 5] == 's' && p[i + 6] == 'd' && p[i + 7] == 'p' && p[i + 8] == 3;
    }

    /** The fixed header flags the spec allows for a packet type (PUBLISH: any but QoS 3). */
    static boolean validFlags(int type, int flags) {
        return switch (type) {
            case MqttPackets.PUBLISH -> ((flags >> 1) & 0x03) != 3;
            case MqttPackets.PUBREL, MqttPackets.SUBSCRIBE, MqttPackets.UNSUBSCRIBE -> flags == 0x02;
            case 0 -> false;
            default -> flags == 0;
        };
    }

    /** The smallest remaining length of each packet type (PINGREQ/PINGRESP: exactly 0). */
    static boolean validLength(int type, int remaining) {
        return switch (type) {
            case MqttPackets.CONNECT -> remaining >= 10;
            case MqttPackets.PINGREQ, MqttPackets.PINGRESP -> remaining == 0;
            case MqttPackets.SUBSCRIBE -> remaining >= 5;
            case MqttPackets.UNSUBSCRIBE -> remaining >= 4;
            case MqttPackets.SUBACK -> remaining >= 3;
            case MqttPackets.CONNACK, MqttPackets.PUBLISH, MqttPackets.PUBACK, MqttPackets.PUBREC,
                    MqttPackets.PUBREL, MqttPackets.PUBCOMP, MqttPackets.UNSUBACK -> remaining >= 2;
            default -> true; // DISCONNECT, AUTH: empty in 3.1.1 / with reason code 0x00
        };
    }

    @Override
    public StreamDecoder newDecoder(FlowDirection direction) {
        return new MqttDecoder(options, direction);
    }
}
