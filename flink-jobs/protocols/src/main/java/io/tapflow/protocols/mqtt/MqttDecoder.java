package io.tapflow.protocols.mqtt;

import io.tapflow.protocols.AbstractStreamDecoder;
import io.tapflow.protocols.DeclaredBody;
import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.MessageSink;
import io.tapflow.protocols.ParserOptions;
import io.tapflow.protocols.StateFormats;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Decodes one direction of an MQTT connection: fixed header (type, flags, remaining length), then the variable
 * header and the start of the payload from at most {@link #WINDOW} captured bytes; the rest of the packet (a PUBLISH
 * payload) is skipped by the remaining length, captured or not. A packet is emitted once its last byte has passed,
 * so its end time is the time of the call that carried that byte.
 */
final class MqttDecoder extends AbstractStreamDecoder {

    /** Captured bytes of a packet decoded at most: variable headers, properties and topic lists fit easily. */
    static final int WINDOW = 4096;

    private final MqttPackets packets;
    private final int window;

    /** The rest of the current packet, from its fixed header to its last byte, and the packet it emits then. */
    private final DeclaredBody body = new DeclaredBody();

    MqttDecoder(ParserOptions options, FlowDirection direction) {
        super(options);
        this.packets = new MqttPackets(direction, options.requestIdHeader());
        this.window = Math.min(WINDOW, options.maxBufferedBytes());
    }

    @Override
    protected Step decode(MessageSink out) {
        return body.active() ? skipBody(out) : header(out);
    }

    private Step header(MessageSink out) {
        int captured = in.contiguous();
        if (captured < 2) {
            return Step.NEED_MORE;
        }
        byte[] b = in.array();
        int s = in.start();
        int first = b[s] & 0xFF;
        int type = first >>> 4;
        int flags = first & 0x0F;
        if (!MqttParser.validFlags(type, flags)) {
            return malformed("packet type " + type + " with flags " + flags);
        }
        // remaining length: 1 to 4 bytes of 7 bits each, the high bit says another byte follows
        int remainingLength = 0;
        int headerLen = 1;
        while (true) {
            if (headerLen >= captured) {
                return Step.NEED_MORE;
            }
            int digit = b[s + headerLen] & 0xFF;
            remainingLength |= (digit & 0x7F) << (7 * (headerLen - 1));
            headerLen++;
            if ((digit & 0x80) == 0) {
                break;
            }
            if (headerLen == 5) {
                return malformed("remaining length longer than 4 bytes");
            }
        }
        if (!MqttParser.validLength(type, remainingLength)) {
            return malformed(MqttPackets.name(type) + " with remaining length " + remainingLength);
        }
        long total = (long) headerLen + remainingLength;
        int want = (int) Math.min(total, headerLen + window);
        if (captured < want && captured == in.available()) {
            return Step.NEED_MORE; // the rest may still arrive; after a hole, decode what was captured
        }
        long startPos = in.position();
        int limit = (int) Math.min(total, captured);
        L7Message.Builder m = packets.decode(type, flags, remainingLength, new MqttReader(b, s + headerLen, s + limit));
        m.start(in.origin(startPos)).length(total);
        in.mark(startPos);
        body.begin(total, m);
        return skipBody(out);
    }

    /** Consumes the rest of the packet, captured or not; emits it once its last byte passed. */
    private Step skipBody(MessageSink out) {
        if (body.consume(in, out)) {
            reset();
            in.mark(-1);
        }
        return Step.PROGRESS;
    }

    @Override
    protected void reset() {
        // the connection's protocol level (packets.level) survives: it is not part of one packet
        body.clear();
    }

    /*
     * State format 1: between packets (none being skipped to its end), where a checkpoint finds nearly every open
     * connection: the buffer and the connection's protocol level. A packet part-way stays in Java serialization.
     */
    private static final int FORMAT_BETWEEN_PACKETS = 1;

    @Override
    public int stateFormat() {
        return body.active() ? 0 : FORMAT_BETWEEN_PACKETS;
    }

    @Override
    protected void writeStateFields(DataOutput out) throws IOException {
        out.writeByte(packets.level);
    }

    @Override
    protected void readStateFields(DataInput from, int format) throws IOException {
        StateFormats.require(format, FORMAT_BETWEEN_PACKETS, "MQTT");
        packets.level = from.readUnsignedByte();
    }
}
