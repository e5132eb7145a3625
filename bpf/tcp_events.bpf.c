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

SEC("tp/sock/inet_sock_set_state")
int handle_inet_sock_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
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
		tf_emit(&ev, sizeof(ev));
		return 0;
	}
	if (new_state == TF_KSTATE_SYN_RECV) {
		/* A passive open creates the child socket in SYN_RECV: a new connection at this address. */
		state = tf_sock_new(key, TF_ROLE_SERVER);
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
	tf_emit(&ev, sizeof(ev));
	return 0;
}

SEC("tp/tcp/tcp_retransmit_skb")
int handle_tcp_retransmit_skb(struct trace_event_raw_tcp_retransmit_skb *ctx)
{
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
	tf_emit(&ev, sizeof(ev));
	return 0;
}

SEC("tp/tcp/tcp_probe")
int handle_tcp_probe(struct trace_event_raw_tcp_probe *ctx)
{
	struct sock *sk = (struct sock *)ctx->skaddr;
	if (!sk)
		return 0;
	struct tf_sock_state *state = tf_sock_get((__u64)sk);
	struct tf_config *cfg = tf_config();
	if (!state || !cfg)
		return 0;
	/* tcp_probe fires for every segment received: one sample per socket per interval is plenty. */
	__u64 now = bpf_ktime_get_ns();
	if (state->last_rtt_ns && now - state->last_rtt_ns < (__u64)cfg->rtt_interval_ms * 1000000) {
		tf_count(TF_CNT_RTT_SUPPRESSED);
		return 0;
	}
	__u32 srtt = BPF_CORE_READ((struct tcp_sock *)sk, srtt_us) >> 3;
	if (!srtt)
		return 0;
	state->last_rtt_ns = now;
	struct tf_tcp_event ev;
	if (!tf_tcp_begin(&ev, sk, state, TF_TCP_RTT_SAMPLE))
		return 0;
	tf_tcp_read_counters(&ev, sk);
	tf_emit(&ev, sizeof(ev));
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
	tf_emit(&ev, sizeof(ev));
	return 0;
}

SEC("tp/tcp/tcp_receive_reset")
int handle_tcp_receive_reset(struct trace_event_raw_tcp_event_sk *ctx)
{
	return tf_reset((struct sock *)ctx->skaddr, TF_TCP_RESET_RECEIVED);
}

SEC("tp/tcp/tcp_send_reset")
int handle_tcp_send_reset(struct trace_event_raw_tcp_send_reset *ctx)
{
	return tf_reset((struct sock *)ctx->skaddr, TF_TCP_RESET_SENT);
}
