package io.tapflow.flowagg.reassembly;

import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.Segment;
import io.tapflow.protocols.testing.Capture;
import io.tapflow.protocols.testing.Goldens;
import io.tapflow.protocols.testing.Capture.Connection;
import io.tapflow.protocols.testing.Capture.DirectedSegment;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Raw events of real captured connections (the protocol goldens, recorded from real clients and servers), as the
 * collector would report them from one end: each captured segment becomes the syscall that moved it, with the
 * segment's time and TCP sequence number.
 */
final class CapturedFlows {

    static final String AGENT = "agent-1";
    static final int SERVER_PID = 4100;
    static final int CLIENT_PID = 4200;

    private CapturedFlows() {
    }

    /** A golden capture shipped in the protocols test-jar, e.g. {@code "http1/01-get-keepalive"}. */
    static Capture golden(String name) {
        return Goldens.capture(name);
    }

    /** The data events of {@code c} seen from one end: the server's accepted socket or the client's. */
    static List<SocketDataEvent> dataEvents(Connection c, Role end, long socketId) {
        boolean server = end == Role.SERVER;
        Capture.Endpoint local = server ? c.server() : c.client();
        Capture.Endpoint remote = server ? c.client() : c.server();
        long[] dataSeq = new long[2];
        List<SocketDataEvent> events = new ArrayList<>();
        for (DirectedSegment ds : c.segments()) {
            Segment s = ds.segment();
            boolean toServer = ds.direction() == FlowDirection.CLIENT_TO_SERVER;
            Direction direction = toServer == server ? Direction.INGRESS : Direction.EGRESS;
            int d = direction.ordinal() - 1;
            byte[] payload = Arrays.copyOfRange(s.bytes(), s.offset(), s.offset() + s.length());
            events.add(SocketDataEvent.newBuilder()
                    .setAgentId(AGENT).setHost("host-1")
                    .setPid(server ? SERVER_PID : CLIENT_PID).setTid(server ? SERVER_PID + 1 : CLIENT_PID + 1)
                    .setComm(server ? "server" : "client").setFd(7).setSocketId(socketId)
                    .setRole(end)
                    .setIpFamily(local.ip().contains(":") ? IpFamily.IPV6 : IpFamily.IPV4)
                    .setLocalIp(local.ip()).setLocalPort(local.port())
                    .setRemoteIp(remote.ip()).setRemotePort(remote.port())
                    .setL4Protocol(c.tcp() ? L4Protocol.TCP : L4Protocol.UDP)
                    .setDirection(direction)
                    .setSyscall(direction == Direction.INGRESS ? Syscall.READ : Syscall.WRITE)
                    .setTimestampNs(s.timestampNs())
                    .setDurationNs(null)
                    .setByteCount(s.byteCount())
                    .setPayload(ByteBuffer.wrap(payload))
                    .setPayloadTruncated(s.byteCount() > s.length())
                    .setTcpSeq(s.tcpSeq() == Segment.NO_TCP_SEQ ? null : s.tcpSeq())
                    .setDataSeq(dataSeq[d])
                    .setThreadTraceId(0)
                    .setContainerId(null).setNetnsInode(null).setCgroupId(null)
                    .build());
            dataSeq[d] += s.byteCount();
        }
        return events;
    }

    /** The close of the socket, 1 ms after the connection's last segment. */
    static TcpEvent close(Connection c, Role end, long socketId) {
        boolean server = end == Role.SERVER;
        Capture.Endpoint local = server ? c.server() : c.client();
        Capture.Endpoint remote = server ? c.client() : c.server();
        long last = c.segments().get(c.segments().size() - 1).segment().timestampNs();
        return TcpEvent.newBuilder()
                .setAgentId(AGENT).setHost("host-1").setPid(server ? SERVER_PID : CLIENT_PID)
                .setComm(server ? "server" : "client").setSocketId(socketId)
                .setTimestampNs(last + 1_000_000L).setType(TcpEventType.CLOSE)
                .setIpFamily(local.ip().contains(":") ? IpFamily.IPV6 : IpFamily.IPV4)
                .setLocalIp(local.ip()).setLocalPort(local.port())
                .setRemoteIp(remote.ip()).setRemotePort(remote.port())
                .setCloseType(CloseType.NORMAL)
                .build();
    }
}
