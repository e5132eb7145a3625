package io.tapflow.collector.bpf;

import java.util.ArrayList;
import java.util.List;

/**
 * The record layout of {@code bpf/include/events.h} as the decoder reads it. {@link #verify} compares every size
 * and offset with what the loaded {@code libtapflow_collector.so} was compiled with and refuses to run on any
 * difference: a mismatch would decode garbage silently.
 */
public final class EventLayout {

    // struct tf_data_event
    public static final int DATA_SIZE = 144;
    public static final int DATA_TYPE = 0;
    public static final int DATA_TGID = 4;
    public static final int DATA_TID = 8;
    public static final int DATA_FD = 12;
    public static final int DATA_SOCKET_ID = 16;
    public static final int DATA_TS_NS = 24;
    public static final int DATA_DURATION_NS = 32;
    public static final int DATA_BYTE_COUNT = 40;
    public static final int DATA_DATA_SEQ = 48;
    public static final int DATA_THREAD_TRACE_ID = 56;
    public static final int DATA_CGROUP_ID = 64;
    public static final int DATA_NETNS_INODE = 72;
    public static final int DATA_TCP_SEQ = 76;
    public static final int DATA_LOCAL_ADDR = 80;
    public static final int DATA_REMOTE_ADDR = 96;
    public static final int DATA_LOCAL_PORT = 112;
    public static final int DATA_REMOTE_PORT = 114;
    public static final int DATA_PAYLOAD_LEN = 116;
    public static final int DATA_FAMILY = 118;
    public static final int DATA_L4_PROTOCOL = 119;
    public static final int DATA_ROLE = 120;
    public static final int DATA_DIRECTION = 121;
    public static final int DATA_SYSCALL = 122;
    public static final int DATA_FLAGS = 123;
    public static final int DATA_COMM = 124;

    // struct tf_tcp_event
    public static final int TCP_SIZE = 120;
    public static final int TCP_TYPE = 0;
    public static final int TCP_TGID = 4;
    public static final int TCP_SOCKET_ID = 8;
    public static final int TCP_TS_NS = 16;
    public static final int TCP_CONNECT_LATENCY_NS = 24;
    public static final int TCP_BYTES_ACKED = 32;
    public static final int TCP_BYTES_RECEIVED = 40;
    public static final int TCP_SRTT_US = 48;
    public static final int TCP_TOTAL_RETRANS = 52;
    public static final int TCP_LOCAL_ADDR = 56;
    public static final int TCP_REMOTE_ADDR = 72;
    public static final int TCP_LOCAL_PORT = 88;
    public static final int TCP_REMOTE_PORT = 90;
    public static final int TCP_FAMILY = 92;
    public static final int TCP_EVENT_TYPE = 93;
    public static final int TCP_CLOSE_TYPE = 94;
    public static final int TCP_OLD_STATE = 95;
    public static final int TCP_NEW_STATE = 96;
    public static final int TCP_FLAGS = 97;
    public static final int TCP_COMM = 98;

    public static final int COMM_LENGTH = 16;
    public static final int CONFIG_SIZE = 16;
    public static final int MAX_PAYLOAD = 4096;
    public static final int COUNTER_SLOTS = 8;
    public static final int TYPE_SOCKET_DATA = 1;
    public static final int TYPE_TCP = 2;

    /** Each drained record is preceded by {@code [u32 length][u32 0]} and padded to 8 bytes. */
    public static final int RECORD_PREFIX = 8;

    // tf_data_event.flags
    public static final int DATA_HAS_TCP_SEQ = 0x01;
    public static final int DATA_PAYLOAD_FAULT = 0x02;
    public static final int DATA_HAS_NETNS = 0x04;
    /** Only the call's exit was hooked (receives): the timestamp is the exit's and there is no duration. */
    public static final int DATA_EXIT_ONLY = 0x08;

    // tf_tcp_event.flags
    public static final int TCP_HAS_PID = 0x01;
    public static final int TCP_HAS_OLD_STATE = 0x02;
    public static final int TCP_HAS_LATENCY = 0x04;
    public static final int TCP_HAS_SRTT = 0x08;
    public static final int TCP_HAS_RETRANS = 0x10;
    public static final int TCP_HAS_BYTES = 0x20;
    public static final int TCP_HAS_CLOSE_TYPE = 0x40;
    public static final int TCP_HAS_NEW_STATE = 0x80;

    /** The values the native library exports, in its {@code tf_layout[]} order. */
    public enum Field {
        DATA_SIZE(EventLayout.DATA_SIZE),
        DATA_TYPE(EventLayout.DATA_TYPE),
        DATA_TGID(EventLayout.DATA_TGID),
        DATA_TID(EventLayout.DATA_TID),
        DATA_FD(EventLayout.DATA_FD),
        DATA_SOCKET_ID(EventLayout.DATA_SOCKET_ID),
        DATA_TS_NS(EventLayout.DATA_TS_NS),
        DATA_DURATION_NS(EventLayout.DATA_DURATION_NS),
        DATA_BYTE_COUNT(EventLayout.DATA_BYTE_COUNT),
        DATA_DATA_SEQ(EventLayout.DATA_DATA_SEQ),
        DATA_THREAD_TRACE_ID(EventLayout.DATA_THREAD_TRACE_ID),
        DATA_CGROUP_ID(EventLayout.DATA_CGROUP_ID),
        DATA_NETNS_INODE(EventLayout.DATA_NETNS_INODE),
        DATA_TCP_SEQ(EventLayout.DATA_TCP_SEQ),
        DATA_LOCAL_ADDR(EventLayout.DATA_LOCAL_ADDR),
        DATA_REMOTE_ADDR(EventLayout.DATA_REMOTE_ADDR),
        DATA_LOCAL_PORT(EventLayout.DATA_LOCAL_PORT),
        DATA_REMOTE_PORT(EventLayout.DATA_REMOTE_PORT),
        DATA_PAYLOAD_LEN(EventLayout.DATA_PAYLOAD_LEN),
        DATA_FAMILY(EventLayout.DATA_FAMILY),
        DATA_L4_PROTOCOL(EventLayout.DATA_L4_PROTOCOL),
        DATA_ROLE(EventLayout.DATA_ROLE),
        DATA_DIRECTION(EventLayout.DATA_DIRECTION),
        DATA_SYSCALL(EventLayout.DATA_SYSCALL),
        DATA_FLAGS(EventLayout.DATA_FLAGS),
        DATA_COMM(EventLayout.DATA_COMM),
        TCP_SIZE(EventLayout.TCP_SIZE),
        TCP_TYPE(EventLayout.TCP_TYPE),
        TCP_TGID(EventLayout.TCP_TGID),
        TCP_SOCKET_ID(EventLayout.TCP_SOCKET_ID),
        TCP_TS_NS(EventLayout.TCP_TS_NS),
        TCP_CONNECT_LATENCY_NS(EventLayout.TCP_CONNECT_LATENCY_NS),
        TCP_BYTES_ACKED(EventLayout.TCP_BYTES_ACKED),
        TCP_BYTES_RECEIVED(EventLayout.TCP_BYTES_RECEIVED),
        TCP_SRTT_US(EventLayout.TCP_SRTT_US),
        TCP_TOTAL_RETRANS(EventLayout.TCP_TOTAL_RETRANS),
        TCP_LOCAL_ADDR(EventLayout.TCP_LOCAL_ADDR),
        TCP_REMOTE_ADDR(EventLayout.TCP_REMOTE_ADDR),
        TCP_LOCAL_PORT(EventLayout.TCP_LOCAL_PORT),
        TCP_REMOTE_PORT(EventLayout.TCP_REMOTE_PORT),
        TCP_FAMILY(EventLayout.TCP_FAMILY),
        TCP_EVENT_TYPE(EventLayout.TCP_EVENT_TYPE),
        TCP_CLOSE_TYPE(EventLayout.TCP_CLOSE_TYPE),
        TCP_OLD_STATE(EventLayout.TCP_OLD_STATE),
        TCP_NEW_STATE(EventLayout.TCP_NEW_STATE),
        TCP_FLAGS(EventLayout.TCP_FLAGS),
        TCP_COMM(EventLayout.TCP_COMM),
        CONFIG_SIZE(EventLayout.CONFIG_SIZE),
        MAX_PAYLOAD(EventLayout.MAX_PAYLOAD),
        COUNTER_SLOTS(EventLayout.COUNTER_SLOTS),
        TYPE_SOCKET_DATA(EventLayout.TYPE_SOCKET_DATA),
        TYPE_TCP(EventLayout.TYPE_TCP);

        private final int expected;

        Field(int expected) {
            this.expected = expected;
        }

        public int expected() {
            return expected;
        }
    }

    private EventLayout() {}

    /** Throws when {@code exported} (from {@link BpfNative#layout()}) differs from this class in any value. */
    public static void verify(int[] exported) {
        Field[] fields = Field.values();
        List<String> problems = new ArrayList<>();
        if (exported.length != fields.length) {
            problems.add("native library exports " + exported.length + " values, the decoder knows " + fields.length);
        }
        for (int i = 0; i < Math.min(exported.length, fields.length); i++) {
            if (exported[i] != fields[i].expected()) {
                problems.add(fields[i] + " is " + exported[i] + " in the native library, " + fields[i].expected()
                        + " in the decoder");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException(
                    "bpf/include/events.h and EventLayout.java disagree, refusing to decode: " + problems);
        }
    }
}
