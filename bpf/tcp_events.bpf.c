// SPDX-License-Identifier: GPL-2.0
/*
 * TCP life-cycle events from the tcp:/sock: tracepoints: connect start / established / failed (with latency),
 * accept, close (with close type), retransmits, RTT samples (rate-limited per socket) and resets.
 *
 * Most of these fire in softirq or timer context where the current task has nothing to do with the socket: only
 * CONNECT_START (inside connect()) reports a pid. The collector's own connections are recognised at that point
 * and marked excluded for the socket's lifetime.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "events.h"
#include "settings.h"
#include "ring.h"
#include "config.h"
#include "sockets.h"

char LICENSE[] SEC("license") = "GPL";

#define TF_IPPROTO_TCP 6
/* Kernel TCP states (include/net/tcp_states.h). */
#define TF_KSTATE_ESTABLISHED 1
#define TF_KSTATE_SYN_SENT 2
#define TF_KSTATE_SYN_RECV 3
#define TF_KSTATE_CLOSE 7

/* Fills the common part of a TCP event. Returns 0 when the socket must not be reported (filtered, own). */
static __always_inline int tf_tcp_begin(struct tf_tcp_event *ev, struct sock *sk, struct tf_sock_state *state,
					__u8 type)
{
	struct tf_config *cfg = tf_config();
	if (!cfg || !state || state->excluded)
		return 0;
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->type = TF_EVENT_TCP;
	ev->event_type = type;
	ev->socket_id = state->id;
	ev->ts_ns = bpf_ktime_get_ns();
	ev->family = tf_read_tuple(sk, ev->local_addr, ev->remote_addr, &ev->local_port, &ev->remote_port);
	if (ev->local_port && ev->remote_port) {
		state->local_port = ev->local_port;
		state->remote_port = ev->remote_port;
	} else if (state->local_port) {
		ev->local_port = state->local_port;
		ev->remote_port = state->remote_port;
	}
	if (!tf_ports_allowed(cfg, ev->local_port, ev->remote_port))
		return 0;
	__u32 sample = cfg->sample_one_in;
	if (sample > 1 && state->id % sample)
		return 0;
	return 1;
}

static __always_inline void tf_tcp_read_counters(struct tf_tcp_event *ev, struct sock *sk)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	ev->srtt_us = BPF_CORE_READ(tp, srtt_us) >> 3;
	ev->total_retrans = BPF_CORE_READ(tp, total_retrans);
	ev->bytes_acked = BPF_CORE_READ(tp, bytes_acked);
	ev->bytes_received = BPF_CORE_READ(tp, bytes_received);
	ev->flags |= TF_TCP_HAS_SRTT | TF_TCP_HAS_RETRANS | TF_TCP_HAS_BYTES;
}

/*
 * RTT rate-limit gate. tcp_probe fires for every segment received, and almost all of them are inside the socket's
 * sampling interval; answering that from tf_sockets (a hash lookup per segment) cost ~200 ns per segment. This
 * direct-mapped table answers it with an inlined array lookup: one u64 per slot, the sk's tag in the high half and
 * the ms time of its last sample in the low half, written with a single store so a reader never sees one socket's
 * tag with another's time. A miss (slot held by another socket) falls back to tf_sockets, which stays the
 * authority, so the gate can only skip work, never change what is sampled. A new connection at a reused sk address
 * clears the slot (tf_rtt_gate_clear), so it does not inherit the old connection's last sample time.
 */
#define TF_RTT_GATE_SLOTS 4096

extern unsigned long CONFIG_HZ __kconfig __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TF_RTT_GATE_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} tf_rtt_gate SEC(".maps");

static __always_inline __u32 tf_rtt_gate_index(__u64 sk)
{
	return (__u32)(((sk >> 6) * 0x9E3779B97F4A7C15ull) >> 52) & (TF_RTT_GATE_SLOTS - 1);
}

/* A tag that tells the sockets sharing a slot apart (sock objects are at least 64-byte aligned). */
static __always_inline __u32 tf_rtt_gate_tag(__u64 sk)
{
	return (__u32)(sk >> 6) | 1; /* never 0: an empty slot matches no socket */
}

static __always_inline void tf_rtt_gate_clear(__u64 sk)
{
	__u32 index = tf_rtt_gate_index(sk);
	__u64 *slot = bpf_map_lookup_elem(&tf_rtt_gate, &index);
	if (slot && (__u32)(*slot >> 32) == tf_rtt_gate_tag(sk))
		*slot = 0;
}

SEC("tp/sock/inet_sock_set_state")
int handle_inet_sock_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	TF_DISPATCH_ONLY_OUT();
	if (ctx->protocol != TF_IPPROTO_TCP)
		return 0;
	struct sock *sk = (struct sock *)ctx->skaddr;
	__u64 key = (__u64)sk;
	int old_state = ctx->oldstate;
	int new_state = ctx->newstate;
	__u64 now = bpf_ktime_get_ns();
	struct tf_sock_state *state;
	__u8 type;

	if (new_state == TF_KSTATE_SYN_SENT) {
		/* Active open, inside connect(): the current task owns the socket. */
		state = tf_sock_new(key, TF_ROLE_CLIENT);
		tf_rtt_gate_clear(key);
		if (!state)
			return 0;
		state->connect_start_ns = now;
		__u64 pid_tgid = bpf_get_current_pid_tgid();
		__u32 tgid = pid_tgid >> 32;
		struct tf_config *cfg = tf_config();
		if (tgid == tf_own_tgid || !cfg || !tf_pid_allowed(cfg, tgid) ||
		    !tf_cgroup_allowed(cfg, bpf_get_current_cgroup_id())) {
			state->excluded = tgid == tf_own_tgid;
			return 0;
		}
		struct tf_tcp_event ev;
		if (!tf_tcp_begin(&ev, sk, state, TF_TCP_CONNECT_START))
			return 0;
		ev.tgid = tgid;
		bpf_get_current_comm(ev.comm, sizeof(ev.comm));
		ev.old_state = old_state;
		ev.new_state = new_state;
		ev.flags |= TF_TCP_HAS_PID | TF_TCP_HAS_OLD_STATE | TF_TCP_HAS_NEW_STATE;
		tf_emit(&ev, sizeof(ev), ev.ts_ns);
		return 0;
	}
	if (new_state == TF_KSTATE_SYN_RECV) {
		/* A passive open creates the child socket in SYN_RECV: a new connection at this address. */
		state = tf_sock_new(key, TF_ROLE_SERVER);
		tf_rtt_gate_clear(key);
		if (state)
			state->connect_start_ns = now;
		return 0;
	}
	if (old_state == TF_KSTATE_SYN_SENT && new_state == TF_KSTATE_ESTABLISHED)
		type = TF_TCP_CONNECT_ESTABLISHED;
	else if (old_state == TF_KSTATE_SYN_SENT && new_state == TF_KSTATE_CLOSE)
		type = TF_TCP_CONNECT_FAILED;
	else if (old_state == TF_KSTATE_SYN_RECV && new_state == TF_KSTATE_ESTABLISHED)
		type = TF_TCP_ACCEPT;
	else if (new_state == TF_KSTATE_CLOSE)
		type = TF_TCP_CLOSE;
	else
		return 0;

	state = tf_sock_get(key);
	struct tf_tcp_event ev;
	if (!tf_tcp_begin(&ev, sk, state, type))
		return 0;
	ev.old_state = old_state;
	ev.new_state = new_state;
	ev.flags |= TF_TCP_HAS_OLD_STATE | TF_TCP_HAS_NEW_STATE;
	if ((type == TF_TCP_CONNECT_ESTABLISHED || type == TF_TCP_CONNECT_FAILED) && state->connect_start_ns) {
		ev.connect_latency_ns = now - state->connect_start_ns;
		ev.flags |= TF_TCP_HAS_LATENCY;
	}
	if (type == TF_TCP_CONNECT_FAILED) {
		ev.close_type = TF_CLOSE_CONNECT_FAILED;
		ev.flags |= TF_TCP_HAS_CLOSE_TYPE;
	} else if (type == TF_TCP_CLOSE) {
		ev.close_type = state->reset_seen ? TF_CLOSE_RESET
			      : old_state == TF_KSTATE_SYN_RECV ? TF_CLOSE_UNKNOWN
							       : TF_CLOSE_NORMAL;
		ev.flags |= TF_TCP_HAS_CLOSE_TYPE;
		tf_tcp_read_counters(&ev, sk);
	}
	tf_emit(&ev, sizeof(ev), ev.ts_ns);
	return 0;
}

SEC("tp/tcp/tcp_retransmit_skb")
int handle_tcp_retransmit_skb(struct trace_event_raw_tcp_retransmit_skb *ctx)
{
	TF_DISPATCH_ONLY_OUT();
	struct sock *sk = (struct sock *)ctx->skaddr;
	if (!sk)
		return 0;
	struct tf_tcp_event ev;
	if (!tf_tcp_begin(&ev, sk, tf_sock_get((__u64)sk), TF_TCP_RETRANSMIT))
		return 0;
	/* Read after the kernel counted this one (the tracepoint fires once the segment went out). */
	ev.total_retrans = BPF_CORE_READ((struct tcp_sock *)sk, total_retrans);
	ev.new_state = BPF_CORE_READ(sk, __sk_common.skc_state);
	ev.flags |= TF_TCP_HAS_RETRANS | TF_TCP_HAS_NEW_STATE;
	tf_emit(&ev, sizeof(ev), ev.ts_ns);
	return 0;
}

SEC("tp/tcp/tcp_probe")
int handle_tcp_probe(struct trace_event_raw_tcp_probe *ctx)
{
	TF_DISPATCH_ONLY_OUT();
	__u64 key = (__u64)ctx->skaddr;
	if (!key)
		return 0;
	struct tf_config *cfg = tf_config();
	__u32 index = tf_rtt_gate_index(key);
	__u64 *slot = bpf_map_lookup_elem(&tf_rtt_gate, &index);
	if (!cfg || !slot)
		return 0;
	/* The gate keeps time in jiffies: reading them is a load, where bpf_ktime_get_ns reads the (paravirtual)
	 * clock, a fifth of this program's time (the coarse clock helper is refused to tracing programs). u32
	 * jiffies wrap after 49 days at HZ=1000; differences stay right for intervals below that. Without CONFIG_HZ
	 * (no kernel config to read) the gate is off and every call takes the exact path. */
	__u32 now_j = (__u32)bpf_jiffies64();
	__u32 interval_j = (__u32)((__u64)cfg->rtt_interval_ms * CONFIG_HZ / 1000);
	__u64 gate = *slot;
	if (CONFIG_HZ && (__u32)(gate >> 32) == tf_rtt_gate_tag(key) && now_j - (__u32)gate < interval_j) {
		tf_count(TF_CNT_RTT_SUPPRESSED);
		return 0;
	}
	struct sock *sk = (struct sock *)key;
	struct tf_sock_state *state = tf_sock_get(key);
	if (!state)
		return 0;
	__u64 now = bpf_ktime_get_ns();
	if (state->last_rtt_ns && now - state->last_rtt_ns < (__u64)cfg->rtt_interval_ms * 1000000) {
		/* Remember when that sample was, in jiffies, rounded down: the gate may hand a call more to this
		 * authoritative check, never keep a due sample from it. */
		__u32 ago_j = (__u32)((now - state->last_rtt_ns) * CONFIG_HZ / 1000000000) + 1;
		*slot = (__u64)tf_rtt_gate_tag(key) << 32 | (__u32)(now_j - ago_j);
		tf_count(TF_CNT_RTT_SUPPRESSED);
		return 0;
	}
	/* srtt as tcp_sock.srtt_us >> 3, which the tracepoint already computed. */
	__u32 srtt = ctx->srtt;
	if (!srtt)
		return 0;
	state->last_rtt_ns = now;
	*slot = (__u64)tf_rtt_gate_tag(key) << 32 | now_j;
	struct tf_tcp_event ev;
	if (!tf_tcp_begin(&ev, sk, state, TF_TCP_RTT_SAMPLE))
		return 0;
	tf_tcp_read_counters(&ev, sk);
	tf_emit(&ev, sizeof(ev), ev.ts_ns);
	return 0;
}

static __always_inline int tf_reset(struct sock *sk, __u8 type)
{
	if (!sk)
		return 0; /* a reset answering a segment for no socket */
	struct tf_sock_state *state = tf_sock_get((__u64)sk);
	if (!state)
		return 0;
	state->reset_seen = 1;
	struct tf_tcp_event ev;
	if (!tf_tcp_begin(&ev, sk, state, type))
		return 0;
	ev.new_state = BPF_CORE_READ(sk, __sk_common.skc_state);
	ev.flags |= TF_TCP_HAS_NEW_STATE;
	tf_emit(&ev, sizeof(ev), ev.ts_ns);
	return 0;
}

SEC("tp/tcp/tcp_receive_reset")
int handle_tcp_receive_reset(struct trace_event_raw_tcp_event_sk *ctx)
{
	TF_DISPATCH_ONLY_OUT();
	return tf_reset((struct sock *)ctx->skaddr, TF_TCP_RESET_RECEIVED);
}

SEC("tp/tcp/tcp_send_reset")
int handle_tcp_send_reset(struct trace_event_raw_tcp_send_reset *ctx)
{
	TF_DISPATCH_ONLY_OUT();
	return tf_reset((struct sock *)ctx->skaddr, TF_TCP_RESET_SENT);
}
