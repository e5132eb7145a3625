package io.tapflow.llm.assembly;

import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.Segment;
import io.tapflow.protocols.testing.Capture;
import io.tapflow.protocols.testing.Capture.Connection;
import io.tapflow.protocols.testing.Capture.DirectedSegment;
import io.tapflow.protocols.testing.Goldens;
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
import org.apache.avro.specific.SpecificRecordBase;

/**
 * The raw events of the first connection of a real golden capture (protocols test-jar), as the collector reports
 * them from one end: one call per captured packet, with the packet's time, and the socket's close 1 ms after the last
 * packet.
 *
 * <p>Not the collector's {@code PcapReplaySource}: it coalesces consecutive packets of one direction into one event
 * (one large read/write), which puts every token of a stream at one instant. Streamed LLM responses are written one
 * event per call, so per-packet calls are the faithful replay here. (flow-aggregation's test {@code CapturedFlows}
 * does the same for its job; a shared test-jar would hold one copy once that module is free to change.)
 */
record ReplayedTraffic(Connection connection, Role end, List<SpecificRecordBase> events) {

    static final String AGENT = "agent-1";
    static final long SOCKET = 0x5eed_0001L;

    static ReplayedTraffic of(String golden, Role end) {
        Capture capture = Goldens.capture(golden);
        Connection c = capture.connections().get(0);
        List<SpecificRecordBase> events = new ArrayList<>(data(c, end));
        long last = c.segments().get(c.segments().size() - 1).segment().timestampNs();
        events.add(close(c, end, last + 1_000_000L));
        return new ReplayedTraffic(c, end, events);
    }

    List<SocketDataEvent> data() {
        return events.stream().filter(SocketDataEvent.class::isInstance).map(SocketDataEvent.class::cast).toList();
    }

    long lastMs() {
        TcpEvent close = (TcpEvent) events.get(events.size() - 1);
        return close.getTimestampNs() / 1_000_000L;
    }

    private static List<SocketDataEvent> data(Connection c, Role end) {
        boolean server = end == Role.SERVER;
        Capture.Endpoint local = server ? c.server() : c.client();
        Capture.Endpoint remote = server ? c.client() : c.server();
        long[] dataSeq = new long[2];
        List<SocketDataEvent> events = new ArrayList<>();
        for (DirectedSegment ds : c.segments()) {
            Segment s = ds.segment();
            boolean toServer = ds.direction() == FlowDirection.CLIENT_TO_SERVER;
            Direction direction = toServer == server ? Direction.INGRESS : Direction.EGRESS;
            int d = direction == Direction.EGRESS ? 1 : 0;
            events.add(SocketDataEvent.newBuilder()
                    .setAgentId(AGENT).setHost("host-1").setPid(server ? 4100 : 4200).setTid(server ? 4101 : 4201)
                    .setComm(server ? "llm-server" : "llm-client").setFd(7).setSocketId(SOCKET).setRole(end)
                    .setIpFamily(local.ip().contains(":") ? IpFamily.IPV6 : IpFamily.IPV4)
                    .setLocalIp(local.ip()).setLocalPort(local.port())
                    .setRemoteIp(remote.ip()).setRemotePort(remote.port())
                    .setL4Protocol(L4Protocol.TCP).setDirection(direction)
                    .setSyscall(direction == Direction.INGRESS ? Syscall.READ : Syscall.WRITE)
                    .setTimestampNs(s.timestampNs()).setDurationNs(null).setByteCount(s.byteCount())
                    .setPayload(ByteBuffer.wrap(Arrays.copyOfRange(s.bytes(), s.offset(), s.offset() + s.length())))
                    .setPayloadTruncated(s.byteCount() > s.length())
                    .setTcpSeq(s.tcpSeq() == Segment.NO_TCP_SEQ ? null : s.tcpSeq())
                    .setDataSeq(dataSeq[d]).setThreadTraceId(0)
                    .setContainerId(null).setNetnsInode(null).setCgroupId(null)
                    .build());
            dataSeq[d] += s.byteCount();
        }
        return events;
    }

    static TcpEvent close(Connection c, Role end, long atNs) {
        boolean server = end == Role.SERVER;
        Capture.Endpoint local = server ? c.server() : c.client();
        Capture.Endpoint remote = server ? c.client() : c.server();
        return TcpEvent.newBuilder()
                .setAgentId(AGENT).setHost("host-1").setPid(server ? 4100 : 4200)
                .setComm(server ? "llm-server" : "llm-client").setSocketId(SOCKET)
                .setTimestampNs(atNs).setType(TcpEventType.CLOSE)
                .setIpFamily(local.ip().contains(":") ? IpFamily.IPV6 : IpFamily.IPV4)
                .setLocalIp(local.ip()).setLocalPort(local.port())
                .setRemoteIp(remote.ip()).setRemotePort(remote.port())
                .setCloseType(CloseType.NORMAL)
                .build();
    }
}
