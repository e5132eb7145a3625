/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-socket state shared by socket_trace and tcp_events (the loader hands both objects the same map fds):
 * the socket id, role, per-direction data_seq, connect start, RTT rate limit, reset seen.
 *
 * Socket ids. bpf_get_socket_cookie cannot be called from tracepoint programs, and sk->sk_cookie stays 0 until
 * something asks for it. So the collector assigns its own id the first time it sees a socket and keeps it in this
 * map keyed by the sk pointer. A freed sock can be reused at the same address: a new connection (the
 * TCP_SYN_SENT and TCP_SYN_RECV state changes, and connect() on UDP) always starts a fresh entry, so a reused
 * pointer never inherits the previous connection's id, role or offsets. Ids are tf_id_base (the agent's start
 * time in the high 32 bits) plus a counter: unique per socket within the boot, as a cookie is.
 */
#ifndef TAPFLOW_SOCKETS_H
#define TAPFLOW_SOCKETS_H

#define TF_AF_INET 2
#define TF_AF_INET6 10

struct tf_sock_state {
	__u64 id;
	__u64 data_seq[2];       /* by direction: [0] ingress, [1] egress */
	__u64 connect_start_ns;
	__u64 last_rtt_ns;
	__u16 local_port;        /* last non-zero ports seen: the kernel clears them before the final */
	__u16 remote_port;       /* TCP_CLOSE state change, whose event must still name the connection */
	__u8 role;               /* TF_ROLE_* as seen (connect/accept or the handshake) */
	__u8 reset_seen;
	__u8 excluded;           /* opened by the collector itself */
	__u8 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64); /* struct sock * */
	__type(value, struct tf_sock_state);
} tf_sockets SEC(".maps");

#define TF_ID_SOCKET 0
#define TF_ID_THREAD_TRACE 1

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} tf_id_counters SEC(".maps");

static __always_inline __u64 tf_next_id(__u32 kind)
{
	__u64 *next = bpf_map_lookup_elem(&tf_id_counters, &kind);
	if (!next)
		return 0;
	return tf_id_base + __sync_fetch_and_add(next, 1) + 1;
}

/* A fresh entry for a new connection on sk (replacing whatever a previous socket at that address left). */
static __always_inline struct tf_sock_state *tf_sock_new(__u64 sk, __u8 role)
{
	struct tf_sock_state state = {};
	state.id = tf_next_id(TF_ID_SOCKET);
	state.role = role;
	bpf_map_update_elem(&tf_sockets, &sk, &state, BPF_ANY);
	return bpf_map_lookup_elem(&tf_sockets, &sk);
}

/* The entry of sk, created on first sight (a socket that predates the collector, or UDP). */
static __always_inline struct tf_sock_state *tf_sock_get(__u64 sk)
{
	struct tf_sock_state *state = bpf_map_lookup_elem(&tf_sockets, &sk);
	if (state)
		return state;
	struct tf_sock_state fresh = {};
	fresh.id = tf_next_id(TF_ID_SOCKET);
	/* NOEXIST: if another CPU created it meanwhile, its id wins and both use it. */
	bpf_map_update_elem(&tf_sockets, &sk, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&tf_sockets, &sk);
}

/* Family, addresses and ports of sk from its own point of view. IPv6 addresses are read as 16 bytes at once
 * (BPF_CORE_READ_INTO into a byte array copies one byte: FINDINGS). Returns the TF_FAMILY_*. */
static __always_inline __u8 tf_read_tuple(struct sock *sk, __u8 *local_addr, __u8 *remote_addr, __u16 *local_port,
					  __u16 *remote_port)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	*local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	*remote_port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == TF_AF_INET) {
		bpf_core_read(local_addr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(remote_addr, 4, &sk->__sk_common.skc_daddr);
		return TF_FAMILY_IPV4;
	}
	if (family == TF_AF_INET6) {
		bpf_core_read(local_addr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(remote_addr, 16, &sk->__sk_common.skc_v6_daddr);
		return TF_FAMILY_IPV6;
	}
	return TF_FAMILY_UNKNOWN;
}

#endif
