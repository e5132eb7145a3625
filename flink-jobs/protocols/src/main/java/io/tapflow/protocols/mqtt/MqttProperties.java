package io.tapflow.protocols.mqtt;

import io.tapflow.protocols.TraceHeaders;

/**
 * The MQTT 5 properties of one packet that tapflow reports; user properties go to a {@link TraceHeaders.Collector}
 * (they are MQTT 5's message headers: {@code traceparent}, {@code b3}… travel there).
 */
final class MqttProperties {

    String reasonString;
    String contentType;
    String responseTopic;
    int topicAlias = -1;
    String assignedClientId;
    int userProperties;
    TraceHeaders.Collector trace;

    /**
     * Reads a property section (length + properties) at the reader's position and leaves the reader after it. An
     * unknown property id stops the reading of properties, not of the packet: the section's length is known.
     */
    static MqttProperties read(MqttReader r, String requestIdHeader) {
        MqttProperties props = new MqttProperties();
        int length = r.varint();
        int end = r.position() + length;
        int outer = r.pushLimit(length);
        if (!r.ok()) {
            return props;
        }
        while (r.ok() && r.remaining() > 0) {
            int id = r.u8();
            switch (id) {
                case 0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2A -> r.skip(1);
                case 0x13, 0x21, 0x22 -> r.skip(2);
                case 0x23 -> props.topicAlias = r.u16();
                case 0x02, 0x11, 0x18, 0x27 -> r.skip(4);
                case 0x0B -> r.varint();
                case 0x03 -> props.contentType = r.string();
                case 0x08 -> props.responseTopic = r.string();
                case 0x12 -> props.assignedClientId = r.string();
                case 0x1F -> props.reasonString = r.string();
                case 0x15, 0x1A, 0x1C, 0x09, 0x16 -> r.skipString();
                case 0x26 -> {
                    String name = r.string();
                    String value = r.string();
                    if (r.ok()) {
                        props.userProperties++;
                        if (props.trace == null) {
                            props.trace = new TraceHeaders.Collector(requestIdHeader);
                        }
                        props.trace.offer(name, value);
                    }
                }
                default -> r.skip(r.remaining()); // unknown: the rest of the section is not decodable
            }
        }
        boolean readable = r.ok();
        r.restoreLimit(outer);
        if (readable) {
            r.skip(end - r.position());
        }
        return props;
    }
}
