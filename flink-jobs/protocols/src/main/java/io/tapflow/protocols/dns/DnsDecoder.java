package io.tapflow.protocols.dns;

import io.tapflow.protocols.AbstractStreamDecoder;
import io.tapflow.protocols.ByteReader;
import io.tapflow.protocols.DeclaredBody;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.MessageKind;
import io.tapflow.protocols.MessageSink;
import io.tapflow.protocols.ParserOptions;
import io.tapflow.protocols.StateFormats;
import io.tapflow.schema.L7Protocol;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Decodes the DNS messages of one direction of a UDP conversation or a TCP connection.
 *
 * <p>UDP: one datagram is one message. Its end is found by walking its records (so a datagram that reaches the
 * decoder in pieces still decodes); bytes after the last record up to the end of the segment are dropped, and a
 * datagram captured only in part is emitted as far as it was captured, {@code truncated}, up to the end of its
 * segment. TCP (RFC 1035 §4.2.2, RFC 7766): each message follows a 2-byte length; the header and question are read
 * from its first bytes (at most 1 KB is waited for) and the rest is skipped by that length.
 *
 * <p>Transport {@link DnsParser.Transport#AUTO}: decided once per direction from the first 14 bytes (fewer when a
 * hole follows them): TCP framing when the first two bytes are a length of at least a header and a
 * {@link DnsWire#plausibleHeader plausible header} follows them, UDP otherwise. The two cannot both look plausible
 * for what resolvers send: a datagram read as TCP puts its question count (1) into the flags, i.e. a response code
 * in a query; a TCP message read as a datagram puts its flags (RD, QR…) into the question count, over 1.
 */
final class DnsDecoder extends AbstractStreamDecoder {

    /** Bytes of a TCP message waited for before its header and question are read. */
    private static final int TCP_WINDOW = 1022;
    private static final int DETECT = 2 + DnsWire.HEADER;

    private DnsParser.Transport transport;
    private final DnsWire.Parsed parsed = new DnsWire.Parsed();

    private long msgStart;
    /** UDP: the datagram was captured only in part. (TCP: {@link #body} says it.) */
    private boolean truncated;
    /** TCP: what is left of the current message, and the message it emits then. */
    private final DeclaredBody body = new DeclaredBody();

    DnsDecoder(ParserOptions options, DnsParser.Transport transport) {
        super(options);
        this.transport = transport;
    }

    @Override
    protected Step decode(MessageSink out) {
        if (body.active()) {
            return skipTcp(out);
        }
        int c = in.contiguous();
        if (c == 0) {
            return Step.NEED_MORE;
        }
        if (transport == DnsParser.Transport.AUTO) {
            if (c < DETECT && c == in.available()) {
                return Step.NEED_MORE;
            }
            transport = looksTcp(in.array(), in.start(), c) ? DnsParser.Transport.TCP : DnsParser.Transport.UDP;
        }
        msgStart = in.position();
        in.mark(msgStart);
        return transport == DnsParser.Transport.TCP ? startTcp(c, out) : udp(c, out);
    }

    static boolean looksTcp(byte[] b, int off, int len) {
        return len >= DETECT && ByteReader.u16(b, off) >= DnsWire.HEADER && DnsWire.plausibleHeader(b, off + 2);
    }

    private Step udp(int c, MessageSink out) {
        int end = DnsWire.parse(in.array(), in.start(), c, parsed);
        if (end == DnsWire.BAD) {
            return malformed("bad DNS name");
        }
        if (end == DnsWire.INCOMPLETE) {
            if (c == in.available()) {
                return Step.NEED_MORE; // the rest of the datagram has not arrived
            }
            if (c < DnsWire.HEADER) {
                return malformed("DNS header not captured");
            }
            truncated = true;
            in.discardToNextSegment();
        } else {
            in.skip(end);
            if (in.available() > 0 && !in.atSegmentStart()) {
                in.discardToNextSegment(); // padding after the last record
            }
        }
        out.message(message().build());
        reset();
        return Step.PROGRESS;
    }

    private Step startTcp(int c, MessageSink out) {
        if (c < 2) {
            return Step.NEED_MORE;
        }
        int length = ByteReader.u16(in.array(), in.start());
        if (length < DnsWire.HEADER) {
            return malformed("DNS/TCP length " + length + " below a header");
        }
        int window = Math.min(length, TCP_WINDOW);
        if (c < 2 + window && c == in.available()) {
            return Step.NEED_MORE;
        }
        int avail = Math.min(c - 2, window);
        if (DnsWire.parse(in.array(), in.start() + 2, avail, parsed) == DnsWire.BAD) {
            return malformed("bad DNS name");
        }
        if (avail < DnsWire.HEADER) {
            return malformed("DNS header not captured");
        }
        body.begin(2L + length, message().length(2L + length));
        return skipTcp(out);
    }

    /** Skips what has arrived of the current TCP message; emits it at its end. */
    private Step skipTcp(MessageSink out) {
        if (body.consume(in, out)) {
            reset();
        }
        return Step.PROGRESS;
    }

    /** The message from what {@link #parsed} holds; UDP completes length and end time here, TCP when skipped. */
    private L7Message.Builder message() {
        DnsWire.Parsed p = parsed;
        boolean response = p.response();
        L7Message.Builder b = L7Message.builder(L7Protocol.DNS, response ? MessageKind.RESPONSE : MessageKind.REQUEST)
                .pairId(p.id)
                .start(in.origin(msgStart));
        if (p.qtype >= 0) {
            b.requestType(DnsCodes.type(p.qtype)).requestDomain(p.qname).requestResource(p.qname);
        }
        if (p.opcode() != 0) {
            b.attribute("opcode", DnsCodes.opcode(p.opcode()));
        }
        if (response) {
            int rcode = p.rcode();
            b.responseCode(rcode).responseStatus(DnsCodes.status(rcode))
                    .responseException(rcode == 0 ? null : DnsCodes.rcode(rcode))
                    .attribute("answers", Integer.toString(p.anCount));
            if ((p.flags & 0x0200) != 0) {
                b.attribute("tc", "true");
            }
        }
        if (p.ednsUdpSize >= 0) {
            b.attribute("edns_udp_size", Integer.toString(p.ednsUdpSize));
        }
        if (transport == DnsParser.Transport.UDP) {
            long end = in.position();
            b.length(end - msgStart).truncated(truncated);
            if (end > msgStart) {
                b.endTimestampNs(in.origin(end - 1).timestampNs());
            }
        }
        return b;
    }

    /*
     * State format 1: between messages (no TCP message being skipped), where a checkpoint finds nearly every open
     * conversation: the buffer and the transport decided. Mid-message state stays in Java serialization.
     */
    private static final int FORMAT_BETWEEN_MESSAGES = 1;
    private static final DnsParser.Transport[] TRANSPORT_CODES =
            {DnsParser.Transport.AUTO, DnsParser.Transport.UDP, DnsParser.Transport.TCP};

    @Override
    public int stateFormat() {
        return !body.active() && !truncated ? FORMAT_BETWEEN_MESSAGES : 0;
    }

    @Override
    protected void writeStateFields(DataOutput out) throws IOException {
        out.writeByte(StateFormats.code(TRANSPORT_CODES, transport));
    }

    @Override
    protected void readStateFields(DataInput from, int format) throws IOException {
        StateFormats.require(format, FORMAT_BETWEEN_MESSAGES, "DNS");
        transport = StateFormats.fromCode(TRANSPORT_CODES, from.readUnsignedByte(), "DNS transport");
    }

    @Override
    protected void reset() {
        body.clear();
        truncated = false;
        in.mark(-1);
    }
}
