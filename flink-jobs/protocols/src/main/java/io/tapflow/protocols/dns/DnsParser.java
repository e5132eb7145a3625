package io.tapflow.protocols.dns;

import io.tapflow.protocols.ByteReader;
import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.ParserOptions;
import io.tapflow.protocols.ProtocolParser;
import io.tapflow.protocols.StreamDecoder;
import io.tapflow.schema.L7Protocol;
import java.util.Objects;

/**
 * DNS over UDP (one segment = one datagram) and over TCP (2-byte length prefix, many messages per connection).
 *
 * <p>A message carries: pairId = the DNS id; request_type = the first question's QTYPE mnemonic (A, AAAA, TXT,
 * "TYPE<n>" for unnamed types); request_domain and request_resource = its QNAME as sent (presentation form, no
 * trailing dot); responses response_code = RCODE (with the EDNS extended bits), status per
 * {@link DnsCodes#status}, response_exception = the RCODE name when not NOERROR, and the attribute
 * {@code answers} (ANCOUNT); attributes {@code edns_udp_size} (when an OPT record was read), {@code tc=true}
 * (truncated UDP response: the client retries over TCP) and {@code opcode} (when not QUERY).
 *
 * <p>Transport: the caller knows the L4 protocol and should say it — {@link #newDecoder(FlowDirection,
 * Transport)} or a parser built with a fixed {@link Transport}. The registry's parser uses {@link Transport#AUTO},
 * which decides per direction from the first bytes (see {@link DnsDecoder}).
 *
 * <p>Detection: a plausible header (at offset 0, or at 2 behind a TCP length) whose QR bit fits the direction
 * and whose question reads completely with class IN/CH/HS/ANY is {@link #MEDIUM} + 10; a plausible header whose
 * question was not captured is {@link #LOW}. DNS has no magic bytes, so it loses ties to every protocol that does.
 */
public final class DnsParser implements ProtocolParser {

    /** How DNS messages are framed on the connection. */
    public enum Transport {
        /** Each segment is one datagram holding one message. */
        UDP,
        /** Each message follows a 2-byte big-endian length. */
        TCP,
        /** Decided per direction from the first bytes. */
        AUTO
    }

    private final ParserOptions options;
    private final Transport transport;

    /** A parser whose decoders detect the transport ({@link Transport#AUTO}). */
    public DnsParser(ParserOptions options) {
        this(options, Transport.AUTO);
    }

    public DnsParser(ParserOptions options, Transport transport) {
        this.options = Objects.requireNonNull(options, "options");
        this.transport = Objects.requireNonNull(transport, "transport");
    }

    @Override
    public L7Protocol protocol() {
        return L7Protocol.DNS;
    }

    @Override
    public int matches(byte[] payload, int offset, int length, FlowDirection direction) {
        if (offset < 0 || length < DnsWire.HEADER || offset + length > payload.length) {
            return NO;
        }
        int udp = transport == Transport.TCP ? NO : matchAt(payload, offset, length, direction);
        int tcp = NO;
        if (transport != Transport.UDP && length >= 2 + DnsWire.HEADER
                && ByteReader.u16(payload, offset) >= DnsWire.HEADER) {
            tcp = matchAt(payload, offset + 2, length - 2, direction);
        }
        return Math.max(udp, tcp);
    }

    private static int matchAt(byte[] b, int msg, int len, FlowDirection direction) {
        if (len < DnsWire.HEADER || !DnsWire.plausibleHeader(b, msg)) {
            return NO;
        }
        boolean response = (b[msg + 2] & 0x80) != 0;
        if (response != (direction == FlowDirection.SERVER_TO_CLIENT) || ByteReader.u16(b, msg + 4) != 1) {
            return NO;
        }
        int next = DnsWire.readName(b, msg, DnsWire.HEADER, len, null);
        if (next == DnsWire.BAD) {
            return NO;
        }
        if (next == DnsWire.INCOMPLETE || next + 4 > len) {
            return LOW;
        }
        int qclass = ByteReader.u16(b, msg + next + 2);
        return qclass == 1 || qclass == 3 || qclass == 4 || qclass == 255 ? MEDIUM + 10 : NO;
    }

    @Override
    public StreamDecoder newDecoder(FlowDirection direction) {
        return new DnsDecoder(options, transport);
    }

    /** A decoder for a flow whose L4 protocol the caller knows. */
    public StreamDecoder newDecoder(FlowDirection direction, Transport transport) {
        return new DnsDecoder(options, Objects.requireNonNull(transport, "transport"));
    }
}
