/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one kernel <-> user event layout of the tapflow collector.
 *
 * Every record in the ring buffer starts with a __u32 type. Only fixed-width types, explicit padding, no bool or
 * long: this header is compiled with -Wpadded by both the BPF programs and the JNI shim, and the shim exports every
 * size and offset below so the Java decoder can refuse to run on a mismatch (EventLayout.java).
 *
 * Small enumerations carry the ordinal of the Avro symbol of the same name (schemas/avro/common/), so the
 * decoder maps them with one array lookup; EventLayoutTest pins the two together.
 */
#ifndef TAPFLOW_EVENTS_H
#define TAPFLOW_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define TF_EVENT_SOCKET_DATA 1
#define TF_EVENT_TCP 2

/* Payload bytes a data event can carry (CaptureFilter.MAX_PAYLOAD_BYTES). A power of two: offsets are masked. */
#define TF_MAX_PAYLOAD 4096

/* IpFamily */
#define TF_FAMILY_UNKNOWN 0
#define TF_FAMILY_IPV4 1
#define TF_FAMILY_IPV6 2
/* L4Protocol */
#define TF_L4_UNKNOWN 0
#define TF_L4_TCP 1
#define TF_L4_UDP 2
/* Role */
#define TF_ROLE_UNKNOWN 0
#define TF_ROLE_CLIENT 1
#define TF_ROLE_SERVER 2
/* Direction */
#define TF_DIR_INGRESS 1
#define TF_DIR_EGRESS 2
/* Syscall */
#define TF_SYS_READ 1
#define TF_SYS_WRITE 2
#define TF_SYS_READV 3
#define TF_SYS_WRITEV 4
#define TF_SYS_RECVFROM 5
#define TF_SYS_SENDTO 6
#define TF_SYS_RECVMSG 7
#define TF_SYS_SENDMSG 8
#define TF_SYS_RECVMMSG 9
#define TF_SYS_SENDMMSG 10
/* TcpEventType */
#define TF_TCP_CONNECT_START 1
#define TF_TCP_CONNECT_ESTABLISHED 2
#define TF_TCP_CONNECT_FAILED 3
#define TF_TCP_ACCEPT 4
#define TF_TCP_CLOSE 5
#define TF_TCP_RETRANSMIT 6
#define TF_TCP_RTT_SAMPLE 7
#define TF_TCP_RESET_RECEIVED 8
#define TF_TCP_RESET_SENT 9
/* CloseType */
#define TF_CLOSE_UNKNOWN 0
#define TF_CLOSE_NORMAL 1
#define TF_CLOSE_RESET 2
#define TF_CLOSE_CONNECT_FAILED 3

/* tf_data_event.flags */
#define TF_DATA_HAS_TCP_SEQ 0x01      /* tcp_seq is valid (TCP socket) */
#define TF_DATA_PAYLOAD_FAULT 0x02    /* a user buffer could not be read: payload shorter than asked */
#define TF_DATA_HAS_NETNS 0x04        /* netns_inode is valid */
#define TF_DATA_EXIT_ONLY 0x08        /* only the call's exit was hooked: ts_ns is the exit's, duration_ns 0 */

/* tf_tcp_event.flags */
#define TF_TCP_HAS_PID 0x01           /* tgid/comm belong to the socket's process (process context) */
#define TF_TCP_HAS_OLD_STATE 0x02     /* old_state is set */
#define TF_TCP_HAS_LATENCY 0x04       /* connect_latency_ns is set */
#define TF_TCP_HAS_SRTT 0x08
#define TF_TCP_HAS_RETRANS 0x10
#define TF_TCP_HAS_BYTES 0x20         /* bytes_acked and bytes_received are set */
#define TF_TCP_HAS_CLOSE_TYPE 0x40
#define TF_TCP_HAS_NEW_STATE 0x80     /* new_state is set (the state after a change, or the current state) */

/* Every consumer of this header (BPF or the JNI shim, clang or gcc) gets implicit padding as an error. */
#pragma GCC diagnostic push
#pragma GCC diagnostic error "-Wpadded"

/*
 * One data-moving syscall on an AF_INET/AF_INET6 socket. payload_len bytes of payload follow the header directly
 * (the ring record is sizeof(struct tf_data_event) + payload_len bytes long).
 */
struct tf_data_event {
	__u32 type;             /* TF_EVENT_SOCKET_DATA */
	__u32 tgid;
	__u32 tid;
	__s32 fd;
	__u64 socket_id;        /* collector-assigned per-socket id, see bpf/README.md */
	__u64 ts_ns;            /* CLOCK_MONOTONIC (bpf_ktime_get_ns) at syscall entry (exit: TF_DATA_EXIT_ONLY) */
	__u64 duration_ns;      /* exit - entry */
	__u64 byte_count;       /* the syscall's return value (per message for mmsg) */
	__u64 data_seq;         /* bytes seen before this call on this socket in this direction */
	__u64 thread_trace_id;  /* 0 = none */
	__u64 cgroup_id;
	__u32 netns_inode;
	__u32 tcp_seq;          /* write_seq at send entry, copied_seq at receive entry (derived at exit) */
	__u8 local_addr[16];    /* IPv4 in the first 4 bytes */
	__u8 remote_addr[16];
	__u16 local_port;       /* host byte order */
	__u16 remote_port;
	__u16 payload_len;
	__u8 family;            /* TF_FAMILY_* */
	__u8 l4_protocol;       /* TF_L4_* */
	__u8 role;              /* TF_ROLE_*; UNKNOWN when neither connect nor accept was seen */
	__u8 direction;         /* TF_DIR_* */
	__u8 syscall;           /* TF_SYS_* */
	__u8 flags;             /* TF_DATA_* */
	char comm[16];
	__u8 _pad[4];
};

/* One TCP life-cycle event (tcp:/sock: tracepoints). */
struct tf_tcp_event {
	__u32 type;             /* TF_EVENT_TCP */
	__u32 tgid;             /* valid with TF_TCP_HAS_PID */
	__u64 socket_id;        /* same id as the socket's tf_data_event.socket_id */
	__u64 ts_ns;            /* CLOCK_MONOTONIC */
	__u64 connect_latency_ns;
	__u64 bytes_acked;
	__u64 bytes_received;
	__u32 srtt_us;          /* tcp_sock.srtt_us >> 3 */
	__u32 total_retrans;
	__u8 local_addr[16];
	__u8 remote_addr[16];
	__u16 local_port;
	__u16 remote_port;
	__u8 family;
	__u8 event_type;        /* TF_TCP_* */
	__u8 close_type;        /* TF_CLOSE_* */
	__u8 old_state;         /* kernel TCP_* state numbers */
	__u8 new_state;
	__u8 flags;             /* TF_TCP_HAS_* */
	char comm[16];
	__u8 _pad[6];
};

#pragma GCC diagnostic pop

/* Indexes of the per-CPU counter map (tf_counters); the Java side names them (KernelCounter.java). */
#define TF_CNT_DROP_RINGBUF_FULL 0   /* an event was lost: the ring buffer had no room */
#define TF_CNT_EVENTS 1              /* events written to the ring buffer */
#define TF_CNT_PAYLOAD_FAULT 2       /* user buffer reads that failed (event kept, payload short) */
#define TF_CNT_FILTERED 3            /* socket syscalls skipped by the port/cgroup filters or sampling (see
                                        KernelCounter.FILTERED: pid-filtered calls are not counted) */
#define TF_CNT_RTT_SUPPRESSED 4      /* tcp_probe samples skipped by the per-socket rate limit */
#define TF_CNT_MAX 8

/* Entries of the port filter array (tf_port_filter), indexed by port. */
#define TF_PORTS 65536

/* Bits of the port/pid/cgroup filter map values. */
#define TF_FILTER_ALLOW 0x1
#define TF_FILTER_DENY 0x2

/* tf_config.flags: which allow lists are non-empty (an empty allow list allows everything). */
#define TF_CFG_ALLOW_PORTS 0x1
#define TF_CFG_ALLOW_PIDS 0x2
#define TF_CFG_ALLOW_CGROUPS 0x4
#define TF_CFG_DENY_PORTS 0x8
#define TF_CFG_DENY_PIDS 0x10
#define TF_CFG_DENY_CGROUPS 0x20

/* The run-time settings (one element of the tf_config array map), written by the JNI shim's update call. */
#pragma GCC diagnostic push
#pragma GCC diagnostic error "-Wpadded"
struct tf_config {
	__u32 payload_bytes;    /* 0..TF_MAX_PAYLOAD */
	__u32 sample_one_in;    /* 1 = every socket */
	__u32 flags;            /* TF_CFG_* */
	__u32 rtt_interval_ms;  /* at most one RTT_SAMPLE per socket per interval */
};
#pragma GCC diagnostic pop

#endif /* TAPFLOW_EVENTS_H */
