package io.tapflow.schema;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
  * One fully populated instance of each raw (collector → Kafka) record, every optional field set. Shared with other
  * modules' integration tests through this module's test-jar ({@code <type>test-jar</type>}).
  *
  * <p>The values describe one coherent scene: process {@code curl} (pid 4242) on host {@code node-a} connects to
  * nginx on 10.0.0.2:80 (IPv4) or [2001:db8::2]:80 (IPv6) and writes an HTTP/1.1 GET. Every call returns a new
  * instance, so callers may mutate what they get.
  */
public final class RawEventFixtures {

    public static final String AGENT_ID = "agent-node-a";
    public static final String HOST = "node-a";
    public static final int PID = 4242;
    public static final int TID = 4243;
    public static final long SOCKET_ID = 0x1000_0000_0000_002AL;
    /** 2025-01-01T00:00:00.123456789Z in ns. */
    public static final long TIMESTAMP_NS = 1_735_689_600_123_456_789L;
    public static final long PROCESS_START_NS = 1_735_689_590_000_000_000L;
    public static final long CGROUP_ID = 9_876L;
    public static final long NETNS_INODE = 4_026_531_840L;
    public static final String CONTAINER_ID = "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899";
    public static final byte[] HTTP_GET =
            "GET /api/v1/users/42 HTTP/1.1\r\nHost: nginx\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII);

    private RawEventFixtures() {}

    /** An EGRESS write of an HTTP request on a client IPv4 TCP socket, payload truncated to 32 bytes. */
    public static SocketDataEvent socketDataEventIpv4() {
        return baseSocketDataEvent()
                .setIpFamily(IpFamily.IPV4)
                .setLocalIp("10.0.0.1")
                .setLocalPort(51234)
                .setRemoteIp("10.0.0.2")
                .setRemotePort(80)
                .build();
    }

    /** The same write over IPv6. */
    public static SocketDataEvent socketDataEventIpv6() {
        return baseSocketDataEvent()
                .setIpFamily(IpFamily.IPV6)
                .setLocalIp("2001:db8::1")
                .setLocalPort(51234)
                .setRemoteIp("2001:db8::2")
                .setRemotePort(80)
                .build();
    }

    private static SocketDataEvent.Builder baseSocketDataEvent() {
        int captured = 32;
        return SocketDataEvent.newBuilder()
                .setAgentId(AGENT_ID)
                .setHost(HOST)
                .setPid(PID)
                .setTid(TID)
                .setComm("curl")
                .setFd(5)
                .setSocketId(SOCKET_ID)
                .setRole(Role.CLIENT)
                .setL4Protocol(L4Protocol.TCP)
                .setDirection(Direction.EGRESS)
                .setSyscall(Syscall.SENDTO)
                .setTimestampNs(TIMESTAMP_NS)
                .setDurationNs(12_345L)
                .setByteCount(HTTP_GET.length)
                .setPayload(ByteBuffer.wrap(HTTP_GET, 0, captured).slice())
                .setPayloadTruncated(true)
                .setTcpSeq(3_000_000_001L)
                .setDataSeq(0L)
                .setThreadTraceId(77L)
                .setContainerId(CONTAINER_ID)
                .setNetnsInode(NETNS_INODE)
                .setCgroupId(CGROUP_ID);
    }

    /** CONNECT_ESTABLISHED of the client socket above (IPv4), with every optional field set. */
    public static TcpEvent tcpEvent() {
        return TcpEvent.newBuilder()
                .setAgentId(AGENT_ID)
                .setHost(HOST)
                .setPid(PID)
                .setComm("curl")
                .setSocketId(SOCKET_ID)
                .setTimestampNs(TIMESTAMP_NS - 250_000L)
                .setType(TcpEventType.CONNECT_ESTABLISHED)
                .setIpFamily(IpFamily.IPV4)
                .setLocalIp("10.0.0.1")
                .setLocalPort(51234)
                .setRemoteIp("10.0.0.2")
                .setRemotePort(80)
                .setTcpStateOld("TCP_SYN_SENT")
                .setTcpStateNew("TCP_ESTABLISHED")
                .setConnectLatencyNs(180_000L)
                .setCloseType(CloseType.NORMAL)
                .setSrttUs(90L)
                .setRetransmitCount(1L)
                .setBytesAcked(1L)
                .setBytesReceived(0L)
                .build();
    }

    /** The curl process, running in a Kubernetes pod. */
    public static ProcessInfo processInfo() {
        return ProcessInfo.newBuilder()
                .setAgentId(AGENT_ID)
                .setHost(HOST)
                .setPid(PID)
                .setStartTimeNs(PROCESS_START_NS)
                .setPpid(4100)
                .setComm("curl")
                .setCmdline("curl -s http://10.0.0.2/api/v1/users/42")
                .setExe("/usr/bin/curl")
                .setContainerId(CONTAINER_ID)
                .setPodName("client-7d9f8b6c5-x2k4q")
                .setPodNamespace("default")
                .setCgroupPath("/kubepods.slice/kubepods-besteffort.slice/cri-containerd-" + CONTAINER_ID + ".scope")
                .setObservedAtNs(TIMESTAMP_NS - 1_000_000L)
                .setExited(false)
                .build();
    }
}
