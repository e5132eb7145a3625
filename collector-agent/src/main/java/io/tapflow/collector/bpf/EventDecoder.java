package io.tapflow.collector.bpf;

import static io.tapflow.collector.bpf.EventLayout.*;

import io.tapflow.collector.source.AddressText;
import io.tapflow.collector.source.AgentIdentity;
import io.tapflow.collector.source.RawEventSink;
import io.tapflow.schema.CloseType;
import io.tapflow.schema.Direction;
import io.tapflow.schema.IpFamily;
import io.tapflow.schema.L4Protocol;
import io.tapflow.schema.Role;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.Syscall;
import io.tapflow.schema.TcpEvent;
import io.tapflow.schema.TcpEventType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.LongUnaryOperator;

/**
 * Turns drained ring-buffer records ({@code [u32 length][u32 0][record]}, 8-byte aligned, native byte order) into
 * the raw Avro records. Small enumerations in events.h are the ordinals of the Avro symbols, so they map by index.
 * {@code container_id} stays null: the agent's enricher fills it from /proc.
 */
final class EventDecoder {

    /** Kernel TCP state names by number (include/net/tcp_states.h), as the contract spells them. */
    private static final String[] TCP_STATES = {
        "TCP_UNKNOWN", "TCP_ESTABLISHED", "TCP_SYN_SENT", "TCP_SYN_RECV", "TCP_FIN_WAIT1", "TCP_FIN_WAIT2",
        "TCP_TIME_WAIT", "TCP_CLOSE", "TCP_CLOSE_WAIT", "TCP_LAST_ACK", "TCP_LISTEN", "TCP_CLOSING",
        "TCP_NEW_SYN_RECV", "TCP_BOUND_INACTIVE"
    };

    private static final Role[] ROLES = Role.values();
    private static final Direction[] DIRECTIONS = Direction.values();
    private static final Syscall[] SYSCALLS = Syscall.values();
    private static final IpFamily[] FAMILIES = IpFamily.values();
    private static final L4Protocol[] L4_PROTOCOLS = L4Protocol.values();
    private static final TcpEventType[] TCP_EVENT_TYPES = TcpEventType.values();
    private static final CloseType[] CLOSE_TYPES = CloseType.values();

    private final AgentIdentity identity;
    private final LongUnaryOperator wallClockNs;
    private final RecentText ipv4Text = new RecentText(256);
    private final RecentText ipv6Text = new RecentText(256);
    private final RecentText commText = new RecentText(256);
    private long unknownRecords;

    /** @param wallClockNs kernel CLOCK_MONOTONIC ns to wall-clock ns since the epoch */
    EventDecoder(AgentIdentity identity, LongUnaryOperator wallClockNs) {
        this.identity = identity;
        this.wallClockNs = wallClockNs;
    }

    /** Decodes the first {@code length} bytes of {@code records} into {@code sink}; returns the events delivered. */
    int decode(ByteBuffer records, int length, RawEventSink sink) {
        ByteBuffer buffer = records.duplicate().order(ByteOrder.nativeOrder());
        int delivered = 0;
        int position = 0;
        while (position + RECORD_PREFIX <= length) {
            int size = buffer.getInt(position);
            int record = position + RECORD_PREFIX;
            if (size < 4 || record + size > length) {
                throw new IllegalStateException("corrupt drain buffer: record of " + size + " bytes at " + position);
            }
            int type = buffer.getInt(record + DATA_TYPE);
            if (type == TYPE_SOCKET_DATA && size >= DATA_SIZE) {
                sink.onSocketData(socketData(buffer, record));
                delivered++;
            } else if (type == TYPE_TCP && size >= TCP_SIZE) {
                sink.onTcpEvent(tcpEvent(buffer, record));
                delivered++;
            } else {
                unknownRecords++;
            }
            position = record + ((size + 7) & ~7);
        }
        return delivered;
    }

    /** Records of a type this decoder does not know (a newer kernel side); skipped, counted. */
    long unknownRecords() {
        return unknownRecords;
    }

    SocketDataEvent socketData(ByteBuffer buffer, int at) {
        int flags = buffer.get(at + DATA_FLAGS) & 0xff;
        int family = buffer.get(at + DATA_FAMILY) & 0xff;
        int payloadLength = Math.min(buffer.getShort(at + DATA_PAYLOAD_LEN) & 0xffff, MAX_PAYLOAD);
        long byteCount = buffer.getLong(at + DATA_BYTE_COUNT);
        byte[] payload = new byte[payloadLength];
        buffer.get(at + DATA_SIZE, payload);

        SocketDataEvent event = new SocketDataEvent();
        event.setAgentId(identity.agentId());
        event.setHost(identity.host());
        event.setPid(buffer.getInt(at + DATA_TGID));
        event.setTid(buffer.getInt(at + DATA_TID));
        event.setComm(comm(buffer, at + DATA_COMM));
        event.setFd(buffer.getInt(at + DATA_FD));
        event.setSocketId(buffer.getLong(at + DATA_SOCKET_ID));
        event.setRole(ordinal(ROLES, buffer.get(at + DATA_ROLE)));
        event.setIpFamily(ordinal(FAMILIES, family));
        event.setLocalIp(address(buffer, at + DATA_LOCAL_ADDR, family));
        event.setLocalPort(buffer.getShort(at + DATA_LOCAL_PORT) & 0xffff);
        event.setRemoteIp(address(buffer, at + DATA_REMOTE_ADDR, family));
        event.setRemotePort(buffer.getShort(at + DATA_REMOTE_PORT) & 0xffff);
        event.setL4Protocol(ordinal(L4_PROTOCOLS, buffer.get(at + DATA_L4_PROTOCOL)));
        event.setDirection(ordinal(DIRECTIONS, buffer.get(at + DATA_DIRECTION)));
        event.setSyscall(ordinal(SYSCALLS, buffer.get(at + DATA_SYSCALL)));
        event.setTimestampNs(wallClockNs.applyAsLong(buffer.getLong(at + DATA_TS_NS)));
        event.setDurationNs((flags & DATA_EXIT_ONLY) != 0 ? null : buffer.getLong(at + DATA_DURATION_NS));
        event.setByteCount(byteCount);
        event.setPayload(ByteBuffer.wrap(payload));
        event.setPayloadTruncated(payloadLength < byteCount);
        event.setTcpSeq((flags & DATA_HAS_TCP_SEQ) != 0 ? Integer.toUnsignedLong(buffer.getInt(at + DATA_TCP_SEQ)) : null);
        event.setDataSeq(buffer.getLong(at + DATA_DATA_SEQ));
        event.setThreadTraceId(buffer.getLong(at + DATA_THREAD_TRACE_ID));
        event.setContainerId(null);
        event.setNetnsInode(
                (flags & DATA_HAS_NETNS) != 0 ? Integer.toUnsignedLong(buffer.getInt(at + DATA_NETNS_INODE)) : null);
        long cgroup = buffer.getLong(at + DATA_CGROUP_ID);
        event.setCgroupId(cgroup != 0 ? cgroup : null);
        return event;
    }

    TcpEvent tcpEvent(ByteBuffer buffer, int at) {
        int flags = buffer.get(at + TCP_FLAGS) & 0xff;
        int family = buffer.get(at + TCP_FAMILY) & 0xff;
        boolean hasPid = (flags & TCP_HAS_PID) != 0;

        TcpEvent event = new TcpEvent();
        event.setAgentId(identity.agentId());
        event.setHost(identity.host());
        event.setPid(hasPid ? buffer.getInt(at + TCP_TGID) : null);
        event.setComm(hasPid ? comm(buffer, at + TCP_COMM) : null);
        event.setSocketId(buffer.getLong(at + TCP_SOCKET_ID));
        event.setTimestampNs(wallClockNs.applyAsLong(buffer.getLong(at + TCP_TS_NS)));
        event.setType(ordinal(TCP_EVENT_TYPES, buffer.get(at + TCP_EVENT_TYPE)));
        event.setIpFamily(ordinal(FAMILIES, family));
        event.setLocalIp(address(buffer, at + TCP_LOCAL_ADDR, family));
        event.setLocalPort(buffer.getShort(at + TCP_LOCAL_PORT) & 0xffff);
        event.setRemoteIp(address(buffer, at + TCP_REMOTE_ADDR, family));
        event.setRemotePort(buffer.getShort(at + TCP_REMOTE_PORT) & 0xffff);
        event.setTcpStateOld((flags & TCP_HAS_OLD_STATE) != 0 ? state(buffer.get(at + TCP_OLD_STATE)) : null);
        event.setTcpStateNew((flags & TCP_HAS_NEW_STATE) != 0 ? state(buffer.get(at + TCP_NEW_STATE)) : null);
        event.setConnectLatencyNs(
                (flags & TCP_HAS_LATENCY) != 0 ? buffer.getLong(at + TCP_CONNECT_LATENCY_NS) : null);
        event.setCloseType(
                (flags & TCP_HAS_CLOSE_TYPE) != 0 ? ordinal(CLOSE_TYPES, buffer.get(at + TCP_CLOSE_TYPE)) : null);
        event.setSrttUs(
                (flags & TCP_HAS_SRTT) != 0 ? Integer.toUnsignedLong(buffer.getInt(at + TCP_SRTT_US)) : null);
        event.setRetransmitCount(
                (flags & TCP_HAS_RETRANS) != 0 ? Integer.toUnsignedLong(buffer.getInt(at + TCP_TOTAL_RETRANS)) : null);
        boolean hasBytes = (flags & TCP_HAS_BYTES) != 0;
        event.setBytesAcked(hasBytes ? buffer.getLong(at + TCP_BYTES_ACKED) : null);
        event.setBytesReceived(hasBytes ? buffer.getLong(at + TCP_BYTES_RECEIVED) : null);
        return event;
    }

    private String comm(ByteBuffer buffer, int at) {
        long a = buffer.getLong(at);
        long b = buffer.getLong(at + Long.BYTES);
        String cached = commText.find(a, b);
        if (cached != null) {
            return cached;
        }
        byte[] bytes = new byte[COMM_LENGTH];
        buffer.get(at, bytes);
        int length = 0;
        while (length < COMM_LENGTH && bytes[length] != 0) {
            length++;
        }
        String comm = new String(bytes, 0, length, StandardCharsets.UTF_8);
        commText.put(a, b, comm);
        return comm;
    }

    private String address(ByteBuffer buffer, int at, int family) {
        return switch (family) {
            case 1 -> address(ipv4Text, buffer.getInt(at) & 0xFFFF_FFFFL, 0, buffer, at, 4);
            case 2 -> address(ipv6Text, buffer.getLong(at), buffer.getLong(at + Long.BYTES), buffer, at, 16);
            default -> "0.0.0.0";
        };
    }

    /** The text of the address {@code (a, b)} (its bytes at {@code at}), formatted once while it stays cached. */
    private static String address(RecentText cache, long a, long b, ByteBuffer buffer, int at, int length) {
        String cached = cache.find(a, b);
        if (cached == null) {
            cached = AddressText.format(buffer, at, length);
            cache.put(a, b, cached);
        }
        return cached;
    }

    private static String state(byte value) {
        int state = value & 0xff;
        return state < TCP_STATES.length ? TCP_STATES[state] : "TCP_STATE_" + state;
    }

    /** Index into an Avro enum's symbols; out of range (a newer kernel side) reads as UNKNOWN, symbol 0. */
    private static <E> E ordinal(E[] symbols, int value) {
        int index = value & 0xff;
        return index < symbols.length ? symbols[index] : symbols[0];
    }
}
