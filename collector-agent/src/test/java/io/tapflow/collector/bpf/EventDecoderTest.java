package io.tapflow.collector.bpf;

import static io.tapflow.collector.bpf.EventLayout.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventDecoderTest {

    private static final long WALL_OFFSET = 1_700_000_000_000_000_000L;

    private final EventDecoder decoder =
            new EventDecoder(new AgentIdentity("agent-1", "host-1"), mono -> mono + WALL_OFFSET);
    private final RecordWriter writer = new RecordWriter();
    private final List<SocketDataEvent> data = new ArrayList<>();
    private final List<TcpEvent> tcp = new ArrayList<>();
    private final RawEventSink sink = new RawEventSink() {
        @Override
        public void onSocketData(SocketDataEvent event) {
            data.add(event);
        }

        @Override
        public void onTcpEvent(TcpEvent event) {
            tcp.add(event);
        }
    };

    @Test
    void socketDataRecordBecomesTheContractRecord() {
        byte[] payload = "GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
        int at = writer.begin(DATA_SIZE + payload.length);
        var b = writer.buffer;
        b.putInt(at + DATA_TYPE, TYPE_SOCKET_DATA);
        b.putInt(at + DATA_TGID, 4242);
        b.putInt(at + DATA_TID, 4243);
        b.putInt(at + DATA_FD, 7);
        b.putLong(at + DATA_SOCKET_ID, 0x6543_0000_0001L);
        b.putLong(at + DATA_TS_NS, 1_000);
        b.putLong(at + DATA_DURATION_NS, 250);
        b.putLong(at + DATA_BYTE_COUNT, 100);
        b.putLong(at + DATA_DATA_SEQ, 300);
        b.putLong(at + DATA_THREAD_TRACE_ID, 99);
        b.putLong(at + DATA_CGROUP_ID, 12345);
        b.putInt(at + DATA_NETNS_INODE, 0xf000_0001);
        b.putInt(at + DATA_TCP_SEQ, 0xfedc_ba98);
        writer.bytes(at + DATA_LOCAL_ADDR, 127, 0, 0, 1);
        writer.bytes(at + DATA_REMOTE_ADDR, 10, 1, 2, 3);
        b.putShort(at + DATA_LOCAL_PORT, (short) 8080);
        b.putShort(at + DATA_REMOTE_PORT, (short) 54321);
        b.putShort(at + DATA_PAYLOAD_LEN, (short) payload.length);
        b.put(at + DATA_FAMILY, (byte) 1);
        b.put(at + DATA_L4_PROTOCOL, (byte) 1);
        b.put(at + DATA_ROLE, (byte) 2);
        b.put(at + DATA_DIRECTION, (byte) 1);
        b.put(at + DATA_SYSCALL, (byte) 5);
        b.put(at + DATA_FLAGS, (byte) (DATA_HAS_TCP_SEQ | DATA_HAS_NETNS));
        writer.comm(at + DATA_COMM, "nginx");
        b.put(at + DATA_SIZE, payload);

        assertThat(decoder.decode(b, writer.length(), sink)).isEqualTo(1);

        SocketDataEvent event = data.get(0);
        assertThat(event.getAgentId()).isEqualTo("agent-1");
        assertThat(event.getHost()).isEqualTo("host-1");
        assertThat(event.getPid()).isEqualTo(4242);
        assertThat(event.getTid()).isEqualTo(4243);
        assertThat(event.getComm()).isEqualTo("nginx");
        assertThat(event.getFd()).isEqualTo(7);
        assertThat(event.getSocketId()).isEqualTo(0x6543_0000_0001L);
        assertThat(event.getRole()).isEqualTo(Role.SERVER);
        assertThat(event.getIpFamily()).isEqualTo(IpFamily.IPV4);
        assertThat(event.getLocalIp()).isEqualTo("127.0.0.1");
        assertThat(event.getLocalPort()).isEqualTo(8080);
        assertThat(event.getRemoteIp()).isEqualTo("10.1.2.3");
        assertThat(event.getRemotePort()).isEqualTo(54321);
        assertThat(event.getL4Protocol()).isEqualTo(L4Protocol.TCP);
        assertThat(event.getDirection()).isEqualTo(Direction.INGRESS);
        assertThat(event.getSyscall()).isEqualTo(Syscall.RECVFROM);
        assertThat(event.getTimestampNs()).isEqualTo(WALL_OFFSET + 1_000);
        assertThat(event.getDurationNs()).isEqualTo(250);
        assertThat(event.getByteCount()).isEqualTo(100);
        assertThat(StandardCharsets.US_ASCII.decode(event.getPayload()).toString()).isEqualTo("GET / HTTP/1.1\r\n");
        assertThat(event.getPayloadTruncated()).isTrue();
        assertThat(event.getTcpSeq()).isEqualTo(0xfedc_ba98L);
        assertThat(event.getDataSeq()).isEqualTo(300);
        assertThat(event.getThreadTraceId()).isEqualTo(99);
        assertThat(event.getContainerId()).isNull();
        assertThat(event.getNetnsInode()).isEqualTo(0xf000_0001L);
        assertThat(event.getCgroupId()).isEqualTo(12345);
    }

    @Test
    void absentTcpSeqAndFullPayloadAndIpv6() {
        int at = writer.begin(DATA_SIZE + 2);
        var b = writer.buffer;
        b.putInt(at + DATA_TYPE, TYPE_SOCKET_DATA);
        b.putLong(at + DATA_BYTE_COUNT, 2);
        b.putShort(at + DATA_PAYLOAD_LEN, (short) 2);
        b.put(at + DATA_FAMILY, (byte) 2);
        b.put(at + DATA_L4_PROTOCOL, (byte) 2);
        writer.bytes(at + DATA_LOCAL_ADDR, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
        writer.bytes(at + DATA_REMOTE_ADDR, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 0, 1);
        b.put(at + DATA_SIZE, (byte) 'h').put(at + DATA_SIZE + 1, (byte) 'i');

        decoder.decode(b, writer.length(), sink);

        SocketDataEvent event = data.get(0);
        assertThat(event.getTcpSeq()).isNull();
        assertThat(event.getNetnsInode()).isNull();
        assertThat(event.getCgroupId()).isNull();
        assertThat(event.getPayloadTruncated()).isFalse();
        assertThat(event.getIpFamily()).isEqualTo(IpFamily.IPV6);
        assertThat(event.getL4Protocol()).isEqualTo(L4Protocol.UDP);
        assertThat(event.getLocalIp()).isEqualTo("::1");
        assertThat(event.getRemoteIp()).isEqualTo("::ffff:192.168.0.1");
        assertThat(event.getRole()).isEqualTo(Role.UNKNOWN);
    }

    @Test
    void exitOnlyRecordHasNoDuration() {
        int at = writer.begin(DATA_SIZE);
        var b = writer.buffer;
        b.putInt(at + DATA_TYPE, TYPE_SOCKET_DATA);
        b.putLong(at + DATA_TS_NS, 5_000);
        b.put(at + DATA_FAMILY, (byte) 1);
        b.put(at + DATA_FLAGS, (byte) DATA_EXIT_ONLY);

        decoder.decode(b, writer.length(), sink);

        assertThat(data.get(0).getTimestampNs()).isEqualTo(WALL_OFFSET + 5_000);
        assertThat(data.get(0).getDurationNs()).isNull();
    }

    @Test
    void tcpCloseRecordCarriesOnlyWhatItsFlagsSay() {
        int at = writer.begin(TCP_SIZE);
        var b = writer.buffer;
        b.putInt(at + TCP_TYPE, TYPE_TCP);
        b.putInt(at + TCP_TGID, 777); // not flagged: fired in softirq, must not be reported
        b.putLong(at + TCP_SOCKET_ID, 5);
        b.putLong(at + TCP_TS_NS, 2_000);
        b.putLong(at + TCP_BYTES_ACKED, 1000);
        b.putLong(at + TCP_BYTES_RECEIVED, 2000);
        b.putInt(at + TCP_SRTT_US, 42);
        b.putInt(at + TCP_TOTAL_RETRANS, 3);
        writer.bytes(at + TCP_LOCAL_ADDR, 127, 0, 0, 1);
        writer.bytes(at + TCP_REMOTE_ADDR, 127, 0, 0, 2);
        b.putShort(at + TCP_LOCAL_PORT, (short) 40000);
        b.putShort(at + TCP_REMOTE_PORT, (short) 80);
        b.put(at + TCP_FAMILY, (byte) 1);
        b.put(at + TCP_EVENT_TYPE, (byte) 5);
        b.put(at + TCP_CLOSE_TYPE, (byte) 2);
        b.put(at + TCP_OLD_STATE, (byte) 9);
        b.put(at + TCP_NEW_STATE, (byte) 7);
        b.put(at + TCP_FLAGS, (byte) (TCP_HAS_OLD_STATE | TCP_HAS_NEW_STATE | TCP_HAS_CLOSE_TYPE | TCP_HAS_SRTT
                | TCP_HAS_RETRANS | TCP_HAS_BYTES));

        decoder.decode(b, writer.length(), sink);

        TcpEvent event = tcp.get(0);
        assertThat(event.getPid()).isNull();
        assertThat(event.getComm()).isNull();
        assertThat(event.getSocketId()).isEqualTo(5);
        assertThat(event.getTimestampNs()).isEqualTo(WALL_OFFSET + 2_000);
        assertThat(event.getType()).isEqualTo(TcpEventType.CLOSE);
        assertThat(event.getLocalIp()).isEqualTo("127.0.0.1");
        assertThat(event.getRemoteIp()).isEqualTo("127.0.0.2");
        assertThat(event.getLocalPort()).isEqualTo(40000);
        assertThat(event.getRemotePort()).isEqualTo(80);
        assertThat(event.getTcpStateOld()).isEqualTo("TCP_LAST_ACK");
        assertThat(event.getTcpStateNew()).isEqualTo("TCP_CLOSE");
        assertThat(event.getCloseType()).isEqualTo(CloseType.RESET);
        assertThat(event.getConnectLatencyNs()).isNull();
        assertThat(event.getSrttUs()).isEqualTo(42);
        assertThat(event.getRetransmitCount()).isEqualTo(3);
        assertThat(event.getBytesAcked()).isEqualTo(1000);
        assertThat(event.getBytesReceived()).isEqualTo(2000);
    }

    @Test
    void connectStartHasPidAndNoCounters() {
        int at = writer.begin(TCP_SIZE);
        var b = writer.buffer;
        b.putInt(at + TCP_TYPE, TYPE_TCP);
        b.putInt(at + TCP_TGID, 777);
        writer.comm(at + TCP_COMM, "curl");
        b.put(at + TCP_EVENT_TYPE, (byte) 1);
        b.put(at + TCP_FLAGS, (byte) TCP_HAS_PID);

        decoder.decode(b, writer.length(), sink);

        TcpEvent event = tcp.get(0);
        assertThat(event.getPid()).isEqualTo(777);
        assertThat(event.getComm()).isEqualTo("curl");
        assertThat(event.getType()).isEqualTo(TcpEventType.CONNECT_START);
        assertThat(event.getIpFamily()).isEqualTo(IpFamily.UNKNOWN);
        assertThat(event.getSrttUs()).isNull();
        assertThat(event.getCloseType()).isNull();
        assertThat(event.getTcpStateOld()).isNull();
    }

    @Test
    void manyRecordsInOrderAndUnknownTypesSkippedAndCounted() {
        for (int i = 0; i < 3; i++) {
            int at = writer.begin(DATA_SIZE + i); // odd sizes exercise the 8-byte padding
            writer.buffer.putInt(at + DATA_TYPE, TYPE_SOCKET_DATA);
            writer.buffer.putLong(at + DATA_DATA_SEQ, i);
            writer.buffer.putShort(at + DATA_PAYLOAD_LEN, (short) i);
            writer.buffer.putLong(at + DATA_BYTE_COUNT, i);
        }
        int unknown = writer.begin(16);
        writer.buffer.putInt(unknown, 99);
        int at = writer.begin(TCP_SIZE);
        writer.buffer.putInt(at + TCP_TYPE, TYPE_TCP);

        assertThat(decoder.decode(writer.buffer, writer.length(), sink)).isEqualTo(4);

        assertThat(data).extracting(SocketDataEvent::getDataSeq).containsExactly(0L, 1L, 2L);
        assertThat(tcp).hasSize(1);
        assertThat(decoder.unknownRecords()).isEqualTo(1);
    }

    @Test
    void addressesAndCommandNamesRepeatedOrNotDecodeToTheirOwnText() {
        String[][] expected = {
            {"10.0.0.1", "curl"}, {"10.0.0.2", "curl"}, {"10.0.0.1", "nginx"}, {"::1", "curl-x"},
            {"10.0.0.1", "curl"}, {"::2", "nginx"}, {"::1", "curl"}};
        int[][] addresses = {{10, 0, 0, 1}, {10, 0, 0, 2}, {10, 0, 0, 1}, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
            {10, 0, 0, 1}, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2},
            {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
        for (int i = 0; i < addresses.length; i++) {
            int at = writer.begin(DATA_SIZE);
            writer.buffer.putInt(at + DATA_TYPE, TYPE_SOCKET_DATA);
            int[] address = addresses[i];
            writer.buffer.put(at + DATA_FAMILY, (byte) (address.length == 4 ? 1 : 2));
            writer.bytes(at + DATA_LOCAL_ADDR, address);
            writer.comm(at + DATA_COMM, expected[i][1]);
        }

        decoder.decode(writer.buffer, writer.length(), sink);

        assertThat(data).extracting(e -> e.getLocalIp() + " " + e.getComm())
                .containsExactly(java.util.Arrays.stream(expected).map(e -> e[0] + " " + e[1]).toArray(String[]::new));
    }

    @Test
    void aRecordRunningPastTheDrainedBytesIsCorruption() {
        int at = writer.begin(DATA_SIZE);
        writer.buffer.putInt(at + DATA_TYPE, TYPE_SOCKET_DATA);
        writer.buffer.putInt(at - RECORD_PREFIX, 10_000);

        assertThatThrownBy(() -> decoder.decode(writer.buffer, writer.length(), sink))
                .hasMessageContaining("corrupt drain buffer");
    }
}
