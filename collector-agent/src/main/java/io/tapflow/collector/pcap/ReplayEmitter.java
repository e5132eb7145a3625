package io.tapflow.collector.pcap;

import io.tapflow.collector.source.AgentIdentity;
import io.tapflow.collector.source.CaptureFilter;
import io.tapflow.collector.source.RawEventSink;
import io.tapflow.schema.CloseType;
import io.tapflow.schema.Direction;
import io.tapflow.schema.L4Protocol;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.Syscall;
import io.tapflow.schema.TcpEvent;
import io.tapflow.schema.TcpEventType;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Builds the raw records of replayed sockets the way the eBPF collector fills them for a process on this host:
 * pid/tid/fd 0, the configured comm (or the one {@link ReplayNames} gives the socket's end), thread_trace_id 0, WRITE/READ for TCP and SENDTO/RECVFROM for UDP, capture
 * timestamps shifted by the current pass's offset. Hands them to the sink of the current poll.
 */
final class ReplayEmitter {

    private final AgentIdentity identity;
    private final String comm;
    private final ReplayNames names;
    private final ReplayCounters counters;
    private volatile CaptureFilter filter;
    private RawEventSink sink;
    private long timeOffsetNs;
    private int delivered;

    ReplayEmitter(AgentIdentity identity, String comm, ReplayNames names, CaptureFilter filter,
                  ReplayCounters counters) {
        this.identity = identity;
        this.comm = comm;
        this.names = names;
        this.filter = filter;
        this.counters = counters;
    }

    void filter(CaptureFilter value) {
        this.filter = value;
    }

    CaptureFilter filter() {
        return filter;
    }

    void timeOffsetNs(long value) {
        this.timeOffsetNs = value;
    }

    long timeOffsetNs() {
        return timeOffsetNs;
    }

    /** Starts a poll: events go to {@code target} and are counted from 0. */
    void begin(RawEventSink target) {
        this.sink = target;
        this.delivered = 0;
    }

    int delivered() {
        return delivered;
    }

    /**
     * One data-moving call on {@code socket}: {@code byteCount} bytes, of which the first {@code payloadLength} are
     * in {@code payload} from {@code payloadOffset}; {@code tcpSeq} is ignored for UDP.
     */
    void socketData(ReplaySocket socket, Direction direction, long timestampNs, long tcpSeq, long byteCount,
                    byte[] payload, int payloadOffset, int payloadLength) {
        String socketComm = names.comm(socket, comm);
        if (socketComm == null) {
            return;
        }
        int cap = Math.min(payloadLength, filter.payloadBytes());
        boolean tcp = socket.protocol == L4Protocol.TCP;
        boolean egress = direction == Direction.EGRESS;
        SocketDataEvent event = new SocketDataEvent();
        event.setAgentId(identity.agentId());
        event.setHost(identity.host());
        event.setPid(0);
        event.setTid(0);
        event.setComm(socketComm);
        event.setFd(0);
        event.setSocketId(socket.socketId);
        event.setRole(socket.role);
        event.setIpFamily(socket.family);
        event.setLocalIp(socket.localIp);
        event.setLocalPort(socket.localPort);
        event.setRemoteIp(socket.remoteIp);
        event.setRemotePort(socket.remotePort);
        event.setL4Protocol(socket.protocol);
        event.setDirection(direction);
        event.setSyscall(tcp ? (egress ? Syscall.WRITE : Syscall.READ) : (egress ? Syscall.SENDTO : Syscall.RECVFROM));
        event.setTimestampNs(timestampNs + timeOffsetNs);
        event.setDurationNs(null);
        event.setByteCount(byteCount);
        event.setPayload(ByteBuffer.wrap(Arrays.copyOfRange(payload, payloadOffset, payloadOffset + cap)));
        event.setPayloadTruncated(cap < byteCount);
        event.setTcpSeq(tcp ? tcpSeq : null);
        event.setDataSeq(egress ? socket.egressBytes : socket.ingressBytes);
        event.setThreadTraceId(0L);
        event.setContainerId(null);
        event.setNetnsInode(null);
        event.setCgroupId(null);
        if (egress) {
            socket.egressBytes += byteCount;
        } else {
            socket.ingressBytes += byteCount;
        }
        counters.increment(ReplayCounter.SOCKET_DATA_EVENTS);
        delivered++;
        sink.onSocketData(event);
    }

    /** A TCP life-cycle event; the nullable fields are set only where the event type has them. */
    void tcpEvent(ReplaySocket socket, TcpEventType type, long timestampNs, String stateOld, String stateNew,
                  Long connectLatencyNs, CloseType closeType, boolean withTotals) {
        if (names.comm(socket, comm) == null) {
            return;
        }
        TcpEvent event = new TcpEvent();
        event.setAgentId(identity.agentId());
        event.setHost(identity.host());
        // the kernel reports a task only for events fired in process context (connect, close): the replay has no
        // task, so like softirq-context events these carry none
        event.setPid(null);
        event.setComm(null);
        event.setSocketId(socket.socketId);
        event.setTimestampNs(timestampNs + timeOffsetNs);
        event.setType(type);
        event.setIpFamily(socket.family);
        event.setLocalIp(socket.localIp);
        // a socket in TCP_SYN_SENT has no local port yet in the kernel's state events (see the field's doc)
        event.setLocalPort(type == TcpEventType.CONNECT_START ? 0 : socket.localPort);
        event.setRemoteIp(socket.remoteIp);
        event.setRemotePort(socket.remotePort);
        event.setTcpStateOld(stateOld);
        event.setTcpStateNew(stateNew);
        event.setConnectLatencyNs(connectLatencyNs);
        event.setCloseType(closeType);
        event.setSrttUs(null);
        boolean retransmitTotals = withTotals || type == TcpEventType.RETRANSMIT;
        event.setRetransmitCount(retransmitTotals ? socket.retransmits : null);
        event.setBytesAcked(withTotals ? socket.egressBytes : null);
        event.setBytesReceived(withTotals ? socket.ingressBytes : null);
        counters.increment(ReplayCounter.TCP_EVENTS);
        delivered++;
        sink.onTcpEvent(event);
    }
}
