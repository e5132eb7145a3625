package io.tapflow.protocols.mqtt;

import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.MessageKind;
import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.ResponseStatus;
import java.io.Serializable;

/**
 * Turns one MQTT control packet (fixed header already read, variable header and the start of the payload in a
 * {@link MqttReader}) into a message. Which packets are requests and what answers them is documented on
 * {@link MqttParser}. Fields whose bytes were not captured are left out; the packet is still emitted.
 */
final class MqttPackets implements Serializable {

    static final int CONNECT = 1;
    static final int CONNACK = 2;
    static final int PUBLISH = 3;
    static final int PUBACK = 4;
    static final int PUBREC = 5;
    static final int PUBREL = 6;
    static final int PUBCOMP = 7;
    static final int SUBSCRIBE = 8;
    static final int SUBACK = 9;
    static final int UNSUBSCRIBE = 10;
    static final int UNSUBACK = 11;
    static final int PINGREQ = 12;
    static final int PINGRESP = 13;
    static final int DISCONNECT = 14;
    static final int AUTH = 15;

    private static final String[] NAMES = {null, "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL",
            "PUBCOMP", "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH"};

    /** Topic filters kept in the {@code mqtt.topics} attribute of a SUBSCRIBE/UNSUBSCRIBE. */
    static final int MAX_TOPICS = 16;
    static final int MAX_LIST_CHARS = 256;

    private final FlowDirection direction;
    private final String requestIdHeader;
    /** Protocol level of the connection (3 = 3.1, 4 = 3.1.1, 5 = 5.0); 0 until a CONNECT or CONNACK shows it. */
    int level;

    MqttPackets(FlowDirection direction, String requestIdHeader) {
        this.direction = direction;
        this.requestIdHeader = requestIdHeader;
    }

    static String name(int type) {
        return NAMES[type];
    }

    /** Whether a packet type is a request when it travels in this decoder's direction. */
    boolean isRequest(int type) {
        return switch (type) {
            case CONNECT, PUBLISH, PUBREL, SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT -> true;
            case AUTH -> direction == FlowDirection.CLIENT_TO_SERVER;
            default -> false;
        };
    }

    L7Message.Builder decode(int type, int flags, int remainingLength, MqttReader r) {
        boolean request = isRequest(type);
        L7Message.Builder m = L7Message.builder(L7Protocol.MQTT, request ? MessageKind.REQUEST : MessageKind.RESPONSE);
        if (request) {
            m.requestType(NAMES[type]);
        } else {
            m.attribute("mqtt.packet_type", NAMES[type]);
        }
        switch (type) {
            case CONNECT -> connect(r, m);
            case CONNACK -> connack(remainingLength, r, m);
            case PUBLISH -> publish(flags, r, m);
            case PUBACK, PUBREC, PUBREL, PUBCOMP -> ack(!request, remainingLength, r, m);
            case SUBSCRIBE, UNSUBSCRIBE -> subscribe(type == SUBSCRIBE, r, m);
            case SUBACK, UNSUBACK -> suback(type == SUBACK, r, m);
            case PINGRESP -> m.responseStatus(ResponseStatus.OK);
            case DISCONNECT -> disconnect(remainingLength, r, m);
            case AUTH -> auth(remainingLength, r, m);
            default -> {
                // PINGREQ: nothing but the type
            }
        }
        m.version(version());
        return m;
    }

    private String version() {
        return switch (level) {
            case 3 -> "3.1";
            case 4 -> "3.1.1";
            case 5 -> "5";
            default -> null;
        };
    }

    private boolean v5() {
        return level == 5;
    }

    private void connect(MqttReader r, L7Message.Builder m) {
        String protocolName = r.string();
        int protocolLevel = r.u8();
        int connectFlags = r.u8();
        int keepAlive = r.u16();
        if (!r.ok()) {
            return;
        }
        if (("MQTT".equals(protocolName) && (protocolLevel == 4 || protocolLevel == 5))
                || ("MQIsdp".equals(protocolName) && protocolLevel == 3)) {
            level = protocolLevel;
        }
        m.attribute("mqtt.keep_alive", Integer.toString(keepAlive));
        if ((connectFlags & 0x02) != 0) {
            m.attribute("mqtt.clean_session", "true");
        }
        if (v5()) {
            trace(MqttProperties.read(r, requestIdHeader), m);
        }
        String clientId = r.string();
        if (r.ok()) {
            m.attribute("mqtt.client_id", clientId);
        }
        // will properties/topic/payload, user name and password follow; the password is never read
    }

    private void connack(int remainingLength, MqttReader r, L7Message.Builder m) {
        // a CONNACK says the level: 3.1.1 ones are exactly 2 bytes, 5.0 ones add a property section
        if (remainingLength == 2) {
            if (level != 3) {
                level = 4;
            }
        } else {
            level = 5;
        }
        int ackFlags = r.u8();
        int code = r.u8();
        if (!r.ok()) {
            return;
        }
        if ((ackFlags & 0x01) != 0) {
            m.attribute("mqtt.session_present", "true");
        }
        m.responseCode(code);
        if (v5()) {
            m.responseStatus(MqttReasonCodes.v5(code)).responseException(MqttReasonCodes.v5Text(code));
            MqttProperties props = MqttProperties.read(r, requestIdHeader);
            if (props.reasonString != null) {
                m.responseException(props.reasonString);
            }
            m.attribute("mqtt.assigned_client_id", props.assignedClientId);
        } else {
            m.responseStatus(MqttReasonCodes.v311Connack(code)).responseException(MqttReasonCodes.v311ConnackText(code));
        }
    }

    private void publish(int flags, MqttReader r, L7Message.Builder m) {
        int qos = (flags >> 1) & 0x03;
        m.attribute("mqtt.qos", Integer.toString(qos));
        if ((flags & 0x01) != 0) {
            m.attribute("mqtt.retain", "true");
        }
        if ((flags & 0x08) != 0) {
            m.attribute("mqtt.dup", "true");
        }
        if (qos == 0) {
            m.attribute("one_way", "true"); // QoS 0: nothing answers it
        }
        String topic = r.string();
        if (!r.ok()) {
            return;
        }
        if (!topic.isEmpty()) {
            m.requestResource(topic);
        }
        if (qos > 0) {
            int packetId = r.u16();
            if (!r.ok()) {
                return;
            }
            m.pairId(packetId);
        }
        if (v5()) {
            MqttProperties props = MqttProperties.read(r, requestIdHeader);
            trace(props, m);
            if (props.topicAlias >= 0) {
                m.attribute("mqtt.topic_alias", Integer.toString(props.topicAlias));
            }
            m.attribute("mqtt.content_type", props.contentType);
            m.attribute("mqtt.response_topic", props.responseTopic);
        }
    }

    /** PUBACK, PUBREC, PUBREL, PUBCOMP: packet id, and in 5.0 a reason code and properties when longer than 2. */
    private void ack(boolean response, int remainingLength, MqttReader r, L7Message.Builder m) {
        int packetId = r.u16();
        if (!r.ok()) {
            return;
        }
        m.pairId(packetId);
        if (v5() && remainingLength > 2) {
            int code = r.u8();
            if (!r.ok()) {
                return;
            }
            reason(code, response, m);
            if (remainingLength > 3) {
                MqttProperties props = MqttProperties.read(r, requestIdHeader);
                if (props.reasonString != null && code >= 0x80) {
                    m.responseException(props.reasonString);
                }
            }
        } else if (response) {
            if (v5()) {
                m.responseCode(0); // 5.0: a 2-byte acknowledgement means reason 0x00, success
            }
            m.responseStatus(ResponseStatus.OK);
        }
    }

    private void reason(int code, boolean response, L7Message.Builder m) {
        if (response) {
            m.responseCode(code).responseStatus(MqttReasonCodes.v5(code)).responseException(MqttReasonCodes.v5Text(code));
        } else {
            m.attribute("mqtt.reason_code", Integer.toString(code));
        }
    }

    private void subscribe(boolean subscribe, MqttReader r, L7Message.Builder m) {
        int packetId = r.u16();
        if (!r.ok()) {
            return;
        }
        m.pairId(packetId);
        if (v5()) {
            trace(MqttProperties.read(r, requestIdHeader), m);
        }
        StringBuilder topics = new StringBuilder();
        int count = 0;
        while (r.ok() && r.remaining() > 0) {
            String filter = r.string();
            if (subscribe) {
                r.u8(); // subscription options (requested QoS, no local, retain handling)
            }
            if (!r.ok()) {
                break;
            }
            if (count++ == 0) {
                m.requestResource(filter);
            }
            append(topics, filter, count);
        }
        if (count > 0) {
            m.attribute("mqtt.topics", topics.toString());
        }
    }

    private void suback(boolean suback, MqttReader r, L7Message.Builder m) {
        int packetId = r.u16();
        if (!r.ok()) {
            return;
        }
        m.pairId(packetId);
        m.responseStatus(ResponseStatus.OK);
        if (v5()) {
            MqttProperties props = MqttProperties.read(r, requestIdHeader);
            if (props.reasonString != null) {
                m.responseException(props.reasonString);
            }
        } else if (!suback) {
            return; // 3.1.1 UNSUBACK: packet id only
        }
        StringBuilder codes = new StringBuilder();
        int count = 0;
        int first = -1;
        int firstFailure = -1;
        while (r.ok() && r.remaining() > 0) {
            int code = r.u8();
            if (!r.ok()) {
                break;
            }
            first = first < 0 ? code : first;
            firstFailure = firstFailure < 0 && code >= 0x80 ? code : firstFailure;
            append(codes, Integer.toString(code), ++count);
        }
        if (count == 0) {
            return;
        }
        m.attribute("mqtt.reason_codes", codes.toString());
        // the request's outcome is its first failure (one refused filter fails the exchange), else its first grant
        int code = firstFailure >= 0 ? firstFailure : first;
        m.responseCode(code);
        if (code >= 0x80) {
            m.responseStatus(v5() ? MqttReasonCodes.v5(code) : ResponseStatus.CLIENT_ERROR);
            m.responseException(v5() ? MqttReasonCodes.v5Text(code) : "Failure");
        }
    }

    private void disconnect(int remainingLength, MqttReader r, L7Message.Builder m) {
        m.attribute("one_way", "true");
        if (v5() && remainingLength > 0) {
            int code = r.u8();
            if (r.ok()) {
                m.attribute("mqtt.reason_code", Integer.toString(code));
                String text = MqttReasonCodes.v5Text(code);
                m.attribute("mqtt.reason", text);
            }
        }
    }

    private void auth(int remainingLength, MqttReader r, L7Message.Builder m) {
        if (remainingLength > 0) {
            int code = r.u8();
            if (r.ok()) {
                reason(code, !isRequest(AUTH), m);
            }
        } else if (!isRequest(AUTH)) {
            m.responseCode(0).responseStatus(ResponseStatus.OK);
        }
    }

    private static void trace(MqttProperties props, L7Message.Builder m) {
        if (props.trace != null) {
            m.traceContext(props.trace.context()).xRequestId(props.trace.requestId());
        }
        if (props.userProperties > 0) {
            m.attribute("mqtt.user_properties", Integer.toString(props.userProperties));
        }
    }

    private static void append(StringBuilder list, String item, int count) {
        if (count > MAX_TOPICS || list.length() + item.length() + 1 > MAX_LIST_CHARS) {
            return;
        }
        if (!list.isEmpty()) {
            list.append(',');
        }
        list.append(item);
    }
}
