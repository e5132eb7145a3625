// SPDX-License-Identifier: GPL-2.0
/*
 * Socket data syscalls: read, write, readv, writev, recvfrom, sendto, recvmsg, sendmsg, recvmmsg, sendmmsg on
 * AF_INET/AF_INET6 sockets, plus connect/accept/accept4 (role) and close (forget UDP sockets).
 *
 * Each tracepoint a call passes costs it the kernel's dispatch before any of our work (bpf/README.md: the floor),
 * so a data call is handled at its exit: the arguments are still in the saved registers and tcp_seq at entry is
 * derived from the exit's. Sends also hook their entry, for its time alone; recvmmsg/sendmmsg keep a full entry.
 * Exit: own tgid out first, then filters, the fd -> sock walk, one event per call that moved bytes (per message
 * for mmsg), payload copied from the user buffers after the call (received bytes exist only then).
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

#define TF_S_IFMT 00170000
#define TF_S_IFSOCK 0140000
#define TF_SOCK_STREAM 1
#define TF_SOCK_DGRAM 2
#define TF_IPPROTO_TCP 6
#define TF_EINPROGRESS 115
#define TF_MSG_PEEK 2

#define TF_MAX_IOV 8   /* iovecs copied per call (the payload cap is usually reached first) */
#define TF_MAX_MMSG 8  /* messages reported per recvmmsg/sendmmsg call */

/* How the buffer argument of a data call is shaped. */
#define TF_KIND_BUF 0
#define TF_KIND_IOV 1
#define TF_KIND_MSG 2
#define TF_KIND_MMSG 3
#define TF_KIND_CONNECT 4
#define TF_KIND_ACCEPT 5

/*
 * Per-thread state in task local storage: what a syscall's exit needs from its entry, and the thread_trace_id the
 * thread carries. Task storage instead of a hash keyed by pid_tgid: the lookup is a slot in the task itself (no
 * hashing, no LRU lock, no update/delete per call), it dies with the thread (nothing leaks when a thread exits
 * mid-syscall), and a reused tid never inherits a dead thread's state.
 */
struct tf_thread {
	__u64 ts_ns;
	__u64 sk;
	__u64 ptr;        /* buf, iovec array, user_msghdr or mmsghdr array */
	__u64 thread_trace_id; /* AutoTracing: the id the thread currently carries, 0 = none */
	__u32 count;      /* iovcnt or vlen */
	__s32 fd;
	__u32 tcp_seq;
	__u8 syscall;
	__u8 kind;
	__u8 direction;
	__u8 has_seq;
	__u8 pending;     /* set by an entry the exit must handle, cleared by that exit */
	__u8 _pad[7];
	__u64 send_ts_ns; /* entry time of the send in progress (tf_enter_send), 0 = none */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct tf_thread);
} tf_threads SEC(".maps");

/* The entry state copied into an exit (the call fields of tf_thread). */
struct tf_call {
	__u64 ts_ns;
	__u64 sk;
	__u64 ptr;
	__u32 count;
	__s32 fd;
	__u32 tcp_seq;
	__u8 syscall;
	__u8 kind;
	__u8 direction;
	__u8 has_seq;
};

/* A record under construction: the header, then room for the payload plus slack, so a masked offset plus a
 * clamped length is provably inside the buffer for the verifier. */
struct tf_scratch {
	struct tf_data_event event;
	__u8 payload[2 * TF_MAX_PAYLOAD];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tf_scratch);
} tf_scratch_map SEC(".maps");

/* One emitted event's inputs (subprograms take at most five arguments). */
struct tf_emit_args {
	struct tf_call call;
	__u64 bytes;
	__u64 ptr;
	__u64 iovcnt;
	__u64 thread_trace_id;
	__u32 seq_offset;
	__u32 payload_cap;
	__u8 vectored;
	__u8 role;
	__u8 _pad[6];
};

/*
 * Clamp in place in a way clang cannot move to a register copy: the verifier must see the bound on the very
 * register that becomes the helper's size argument (FINDINGS).
 */
#define TF_CLAMP(var, max) asm volatile("if %0 <= %1 goto +1; %0 = %1" : "+r"(var) : "i"(max))

/*
 * Kernel structs are read with plain loads through BTF pointers (bpf_get_current_task_btf, bpf_rdonly_cast): the
 * verifier turns them into exception-guarded loads of a few ns each, where every bpf_probe_read_kernel (what
 * BPF_CORE_READ expands to) is a helper call of 30..60 ns in a VM. The fd -> sock walk is ten such reads, on every
 * read and write on the host, so this is most of what the probes cost (bpf/README.md has the numbers).
 */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
#define TF_CAST(type, ptr) ((type *)bpf_rdonly_cast((void *)(ptr), bpf_core_type_id_kernel(type)))

/* The AF_INET/AF_INET6 sock behind fd of the current task, or 0 (not a socket, another family, no such fd). */
static __always_inline struct sock *tf_sock_from_fd(struct task_struct *task, int fd)
{
	if (fd < 0)
		return 0;
	struct fdtable *fdt = task->files->fdt;
	if ((unsigned int)fd >= fdt->max_fds)
		return 0;
	/*
	 * fdt->fd is an array of pointers, which BTF cannot type as such: the verifier hands it over as a number.
	 * The slot is read as the one member of a struct that is nothing but a pointer (llist_node), so it is a plain
	 * guarded load too instead of a bpf_probe_read_kernel call.
	 */
	struct llist_node *slot = TF_CAST(struct llist_node, (__u64)fdt->fd + (__u64)fd * sizeof(void *));
	struct file *file = TF_CAST(struct file, slot->next);
	if (!file)
		return 0;
	if ((file->f_inode->i_mode & TF_S_IFMT) != TF_S_IFSOCK)
		return 0;
	struct socket *sock = TF_CAST(struct socket, file->private_data);
	struct sock *sk = sock->sk;
	if (!sk)
		return 0;
	__u16 family = sk->__sk_common.skc_family;
	if (family != TF_AF_INET && family != TF_AF_INET6)
		return 0;
	return sk;
}

/* Role for AutoTracing when the collector saw neither connect nor accept: the ephemeral port is the client's. */
static __always_inline __u8 tf_guess_role(__u16 local_port, __u16 remote_port)
{
	if (local_port < 32768 && remote_port >= 32768)
		return TF_ROLE_SERVER;
	if (local_port >= 32768 && remote_port < 32768)
		return TF_ROLE_CLIENT;
	return TF_ROLE_UNKNOWN;
}

/*
 * The DeepFlow AutoTracing rule: a read on a server-role socket gives the thread an id (kept while it reads the
 * rest of the request); every call the thread then makes on client-role sockets carries it; its write on the
 * server-role socket (the response) carries it one last time and clears it.
 */
static __always_inline __u64 tf_thread_trace_id(struct tf_thread *thread, __u8 role, __u8 direction)
{
	__u64 id = thread->thread_trace_id;
	if (role == TF_ROLE_SERVER) {
		if (direction == TF_DIR_INGRESS) {
			if (!id) {
				id = tf_next_id(TF_ID_THREAD_TRACE);
				thread->thread_trace_id = id;
			}
		} else {
			thread->thread_trace_id = 0;
		}
	}
	return id;
}

/* Copies len (<= TF_MAX_PAYLOAD) user bytes to payload + offset (offset < TF_MAX_PAYLOAD). 0 or -errno. */
static __always_inline long tf_copy_user(__u8 *payload, __u64 offset, const void *src, __u64 len)
{
	offset &= TF_MAX_PAYLOAD - 1;
	TF_CLAMP(len, TF_MAX_PAYLOAD);
	return bpf_probe_read_user(payload + offset, len, src);
}

static __noinline int tf_emit_data(struct tf_emit_args *args, struct tf_sock_state *state)
{
	__u32 zero = 0;
	struct tf_scratch *scratch = bpf_map_lookup_elem(&tf_scratch_map, &zero);
	if (!scratch)
		return 0;
	struct tf_data_event *ev = &scratch->event;
	struct task_struct *task = bpf_get_current_task_btf();
	struct sock *sk = TF_CAST(struct sock, args->call.sk);
	__u64 now = bpf_ktime_get_ns();

	ev->type = TF_EVENT_SOCKET_DATA;
	ev->tgid = task->tgid;
	ev->tid = task->pid;
	ev->fd = args->call.fd;
	ev->socket_id = state->id;
	/* Calls handled at exit only carry no entry time: the event's time is the exit's (see tf_exit_only). */
	ev->ts_ns = args->call.ts_ns ? args->call.ts_ns : now;
	ev->duration_ns = now - ev->ts_ns;
	ev->byte_count = args->bytes;
	ev->data_seq = __sync_fetch_and_add(&state->data_seq[args->call.direction == TF_DIR_EGRESS], args->bytes);
	ev->thread_trace_id = args->thread_trace_id;
	ev->cgroup_id = task->cgroups->dfl_cgrp->kn->id; /* what bpf_get_current_cgroup_id returns, without the call */
	ev->netns_inode = sk->__sk_common.skc_net.net->ns.inum;
	ev->tcp_seq = args->call.tcp_seq + args->seq_offset;
	__builtin_memset(ev->local_addr, 0, sizeof(ev->local_addr));
	__builtin_memset(ev->remote_addr, 0, sizeof(ev->remote_addr));
	ev->local_port = sk->__sk_common.skc_num;
	ev->remote_port = bpf_ntohs(sk->__sk_common.skc_dport);
	if (sk->__sk_common.skc_family == TF_AF_INET) {
		*(__u32 *)ev->local_addr = sk->__sk_common.skc_rcv_saddr;
		*(__u32 *)ev->remote_addr = sk->__sk_common.skc_daddr;
		ev->family = TF_FAMILY_IPV4;
	} else {
		/* tf_sock_from_fd let only INET and INET6 through. Word by word: whole-field reads, never a byte
		 * (BPF_CORE_READ_INTO into a byte array copies one byte: FINDINGS). */
		for (int i = 0; i < 4; i++) {
			((__u32 *)ev->local_addr)[i] = sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr32[i];
			((__u32 *)ev->remote_addr)[i] = sk->__sk_common.skc_v6_daddr.in6_u.u6_addr32[i];
		}
		ev->family = TF_FAMILY_IPV6;
	}
	ev->l4_protocol = sk->sk_type == TF_SOCK_STREAM ? TF_L4_TCP : TF_L4_UDP;
	ev->role = args->role;
	ev->direction = args->call.direction;
	ev->syscall = args->call.syscall;
	ev->flags = TF_DATA_HAS_NETNS | (args->call.has_seq ? TF_DATA_HAS_TCP_SEQ : 0) |
		    (args->call.ts_ns ? 0 : TF_DATA_EXIT_ONLY);
	/* task->comm is NUL-padded by the kernel (__set_task_comm): two loads instead of bpf_get_current_comm's
	 * strscpy + memset. */
	((__u64 *)ev->comm)[0] = ((__u64 *)task->comm)[0];
	((__u64 *)ev->comm)[1] = ((__u64 *)task->comm)[1];

	__u64 want = args->bytes < args->payload_cap ? args->bytes : args->payload_cap;
	__u64 copied = 0;
	if (!args->vectored) {
		if (tf_copy_user(scratch->payload, 0, (const void *)args->ptr, want) == 0)
			copied = want;
	} else {
		for (int i = 0; i < TF_MAX_IOV; i++) {
			if (i >= args->iovcnt || copied >= want)
				break;
			struct iovec iov = {};
			if (bpf_probe_read_user(&iov, sizeof(iov), (const void *)(args->ptr + i * sizeof(iov))))
				break;
			__u64 n = iov.iov_len < want - copied ? iov.iov_len : want - copied;
			if (tf_copy_user(scratch->payload, copied, iov.iov_base, n))
				break;
			copied += n;
		}
	}
	if (copied < want) {
		ev->flags |= TF_DATA_PAYLOAD_FAULT;
		tf_count(TF_CNT_PAYLOAD_FAULT);
	}
	TF_CLAMP(copied, TF_MAX_PAYLOAD);
	ev->payload_len = copied;
	tf_emit(scratch, sizeof(struct tf_data_event) + copied, now);
	return 0;
}

/* The port and cgroup filters (only when a list is set). The caller counts a rejection (once per call). */
static __always_inline int tf_sock_allowed(const struct tf_config *cfg, struct sock *sk)
{
	if (!(cfg->flags & (TF_CFG_ALLOW_PORTS | TF_CFG_DENY_PORTS | TF_CFG_ALLOW_CGROUPS | TF_CFG_DENY_CGROUPS)))
		return 1;
	return tf_ports_allowed(cfg, sk->__sk_common.skc_num, bpf_ntohs(sk->__sk_common.skc_dport)) &&
	       tf_cgroup_allowed(cfg, bpf_get_current_cgroup_id());
}

/*
 * The thread state of a data call on fd of the current task, or 0 when the call is not captured, cheapest
 * rejections first: own process, pid filter (no kernel reads), the fd -> sock walk, port and cgroup filters.
 * *sk and *cfg are set with a result. count_filtered: count a port/cgroup rejection (once per call, by the program
 * that does the call's work).
 */
static __always_inline struct tf_thread *tf_capturable_call(struct task_struct *task, int fd, struct sock **sk,
							      struct tf_config **cfg, int count_filtered)
{
	__u32 tgid = task->tgid;
	if (tgid == tf_own_tgid)
		return 0;
	struct tf_config *config = tf_config();
	if (!config || !tf_pid_allowed(config, tgid))
		return 0;
	struct sock *socket = tf_sock_from_fd(task, fd);
	if (!socket)
		return 0;
	if (!tf_sock_allowed(config, socket)) {
		if (count_filtered)
			tf_count(TF_CNT_FILTERED);
		return 0;
	}
	*sk = socket;
	*cfg = config;
	return bpf_task_storage_get(&tf_threads, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
}

/*
 * Entry: cheapest rejections first (own process, pid filter: no kernel reads), then the fd -> sock walk, the port
 * and cgroup filters (only when a list is set), and the state the exit needs. The per-socket state (id, role,
 * excluded, sampling) is looked up once, at exit, and only for calls that moved bytes.
 */
static __always_inline int tf_enter_data(struct trace_event_raw_sys_enter *ctx, __u8 syscall, __u8 kind,
					 __u8 direction)
{
	TF_DISPATCH_ONLY_OUT();
	struct task_struct *task = bpf_get_current_task_btf();
	struct tf_config *cfg = 0;
	struct sock *sk = 0;
	int fd = (int)ctx->args[0];
	struct tf_thread *thread = tf_capturable_call(task, fd, &sk, &cfg, 1);
	if (!thread || !sk || !cfg)
		return 0;
	thread->sk = (__u64)sk;
	thread->ptr = ctx->args[1];
	thread->count = (__u32)ctx->args[2];
	thread->fd = fd;
	thread->syscall = syscall;
	thread->kind = kind;
	thread->direction = direction;
	thread->has_seq = 0;
	thread->tcp_seq = 0; /* UDP: 0 in the event, as before (the slot still holds the previous call's) */
	if (sk->sk_protocol == TF_IPPROTO_TCP) {
		/* The peer sees the same numbers for the same bytes (FINDINGS); snd_nxt/rcv_nxt do not. */
		struct tcp_sock *tp = TF_CAST(struct tcp_sock, sk);
		thread->tcp_seq = direction == TF_DIR_EGRESS ? tp->write_seq : tp->copied_seq;
		thread->has_seq = 1;
	}
	thread->ts_ns = bpf_ktime_get_ns();
	thread->pending = 1;
	return 0;
}

/*
 * The events of one call that moved ret > 0 bytes, once its socket passed the filters: per-socket state (id,
 * role, excluded, sampling), the thread_trace_id, then one event (per message for mmsg).
 */
static __always_inline int tf_capture(struct tf_config *cfg, struct tf_thread *thread, struct tf_emit_args *args,
				      long ret)
{
	struct tf_sock_state *state = tf_sock_get(args->call.sk);
	if (!state || state->excluded)
		return 0;
	__u32 sample = cfg->sample_one_in;
	if (sample > 1 && state->id % sample) {
		tf_count(TF_CNT_FILTERED);
		return 0;
	}

	__u8 trace_role = state->role;
	if (trace_role == TF_ROLE_UNKNOWN) {
		struct sock *sk = TF_CAST(struct sock, args->call.sk);
		trace_role = tf_guess_role(sk->__sk_common.skc_num, bpf_ntohs(sk->__sk_common.skc_dport));
	}
	args->role = state->role;
	args->thread_trace_id = tf_thread_trace_id(thread, trace_role, args->call.direction);
	args->payload_cap = cfg->payload_bytes;

	if (args->call.kind == TF_KIND_MMSG) {
		/* One event per message; later messages' seq follows the earlier ones' bytes. */
		__u32 offset = 0;
		for (int i = 0; i < TF_MAX_MMSG; i++) {
			if (i >= ret || i >= args->call.count)
				break;
			struct mmsghdr msg = {};
			if (bpf_probe_read_user(&msg, sizeof(msg), (const void *)(args->call.ptr + i * sizeof(msg))))
				break;
			args->bytes = msg.msg_len;
			args->ptr = (__u64)msg.msg_hdr.msg_iov;
			args->iovcnt = msg.msg_hdr.msg_iovlen;
			args->vectored = 1;
			args->seq_offset = offset;
			if (msg.msg_len)
				tf_emit_data(args, state);
			offset += msg.msg_len;
		}
		return 0;
	}
	args->bytes = ret;
	if (args->call.kind == TF_KIND_MSG) {
		struct user_msghdr msg = {};
		if (bpf_probe_read_user(&msg, sizeof(msg), (const void *)args->call.ptr))
			return 0;
		args->ptr = (__u64)msg.msg_iov;
		args->iovcnt = msg.msg_iovlen;
		args->vectored = 1;
	} else {
		args->ptr = args->call.ptr;
		args->iovcnt = args->call.count;
		args->vectored = args->call.kind == TF_KIND_IOV;
	}
	tf_emit_data(args, state);
	return 0;
}

static __always_inline int tf_exit_data(struct trace_event_raw_sys_exit *ctx)
{
	TF_DISPATCH_ONLY_OUT();
	struct tf_thread *thread = bpf_task_storage_get(&tf_threads, bpf_get_current_task_btf(), 0, 0);
	if (!thread || !thread->pending)
		return 0;
	thread->pending = 0;
	long ret = ctx->ret;
	if (ret <= 0)
		return 0;
	struct tf_emit_args args = {};
	args.call.ts_ns = thread->ts_ns;
	args.call.sk = thread->sk;
	args.call.ptr = thread->ptr;
	args.call.count = thread->count;
	args.call.fd = thread->fd;
	args.call.tcp_seq = thread->tcp_seq;
	args.call.syscall = thread->syscall;
	args.call.kind = thread->kind;
	args.call.direction = thread->direction;
	args.call.has_seq = thread->has_seq;
	struct tf_config *cfg = tf_config();
	if (!cfg)
		return 0;
	return tf_capture(cfg, thread, &args, ret);
}

/*
 * tcp_seq of a call's first byte, read after the call: write_seq and copied_seq moved by exactly the ret bytes the
 * call queued or consumed (under the socket lock), so the entry value is the exit value - ret. Two exceptions on
 * receive: MSG_PEEK consumes nothing (copied_seq did not move), and a read that consumed the FIN advanced
 * copied_seq by ret + 1 (FINDINGS). The FIN takes one sequence number: it was consumed iff it was received
 * (SOCK_DONE, set by tcp_fin only) and copied_seq has caught up with rcv_nxt, which counts it.
 */
static __always_inline __u32 tf_seq_at_entry(struct sock *sk, __u8 direction, long ret, __u64 recv_flags)
{
	struct tcp_sock *tp = TF_CAST(struct tcp_sock, sk);
	if (direction == TF_DIR_EGRESS)
		return tp->write_seq - (__u32)ret;
	__u32 copied = tp->copied_seq;
	if (recv_flags & TF_MSG_PEEK)
		return copied;
	if ((sk->__sk_common.skc_flags & (1UL << bpf_core_enum_value(enum sock_flags, SOCK_DONE))) &&
	    copied == tp->rcv_nxt)
		copied -= 1;
	return copied - (__u32)ret;
}

/*
 * A data call handled at its exit only: one tracepoint per call instead of two (the kernel's dispatch of each is
 * most of what a traced call costs here: bpf/README.md). The arguments are still in the registers the syscall
 * entry saved (x86-64: di, si, dx, r10), tcp_seq at entry is derived (tf_seq_at_entry), and the event's time is
 * the exit's for a receive (when the bytes arrived, the time the flow job uses anyway: SegmentTimes; duration_ns
 * is 0), the entry's for a send (tf_enter_send).
 */
static __always_inline int tf_exit_only(struct trace_event_raw_sys_exit *ctx, __u8 syscall, __u8 kind,
					__u8 direction)
{
	TF_DISPATCH_ONLY_OUT();
	long ret = ctx->ret;
	if (ret <= 0)
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	if (!regs)
		return 0;
	struct tf_config *cfg = 0;
	struct sock *sk = 0;
	int fd = (int)regs->di;
	struct tf_thread *thread = tf_capturable_call(task, fd, &sk, &cfg, 1);
	if (!thread || !sk || !cfg)
		return 0;
	struct tf_emit_args args = {};
	if (direction == TF_DIR_EGRESS) {
		args.call.ts_ns = thread->send_ts_ns;
		thread->send_ts_ns = 0;
	}
	args.call.sk = (__u64)sk;
	args.call.ptr = regs->si;
	args.call.count = (__u32)regs->dx;
	args.call.fd = fd;
	args.call.syscall = syscall;
	args.call.kind = kind;
	args.call.direction = direction;
	if (sk->sk_protocol == TF_IPPROTO_TCP) {
		/* recv flags: recvmsg(fd, msg, flags), recvfrom(fd, buf, len, flags); read/readv have none */
		__u64 flags = syscall == TF_SYS_RECVMSG ? regs->dx : syscall == TF_SYS_RECVFROM ? regs->r10 : 0;
		args.call.tcp_seq = tf_seq_at_entry(sk, direction, ret, flags);
		args.call.has_seq = 1;
	}
	return tf_capture(cfg, thread, &args, ret);
}

/*
 * A send's entry: only its time. A send's bytes count from its entry (the flow job's request and response
 * times), and a send that blocks on a full socket buffer exits long after its first bytes left: measured here,
 * 5 % of 256 KB loopback sends exited more than 1 ms after entering. Everything else is read at exit. A
 * per-syscall tracepoint, not raw sys_enter: that one would be cheaper per send but runs for every syscall on the
 * host (bpf/README.md has the numbers of both).
 */
static __always_inline int tf_enter_send(struct trace_event_raw_sys_enter *ctx)
{
	TF_DISPATCH_ONLY_OUT();
	struct task_struct *task = bpf_get_current_task_btf();
	/* The exit applies the filters again and counts a rejection; here they only spare a denied send the clock. */
	struct tf_config *cfg = 0;
	struct sock *sk = 0;
	struct tf_thread *thread = tf_capturable_call(task, (int)ctx->args[0], &sk, &cfg, 0);
	if (thread)
		thread->send_ts_ns = bpf_ktime_get_ns();
	return 0;
}

/* Calls with one event per call: everything at exit (sends also take their entry time, tf_enter_send). */
#define TF_DATA_SYSCALL(name, syscall, kind, direction)                                                            \
	SEC("tp/syscalls/sys_exit_" #name)                                                                         \
	int handle_exit_##name(struct trace_event_raw_sys_exit *ctx)                                               \
	{                                                                                                          \
		return tf_exit_only(ctx, syscall, kind, direction);                                                \
	}

/* recvmmsg/sendmmsg (rare; one event per message, each needing the offset of the ones before): entry and exit. */
#define TF_DATA_SYSCALL_ENTER_EXIT(name, syscall, kind, direction)                                                 \
	SEC("tp/syscalls/sys_enter_" #name)                                                                        \
	int handle_enter_##name(struct trace_event_raw_sys_enter *ctx)                                             \
	{                                                                                                          \
		return tf_enter_data(ctx, syscall, kind, direction);                                               \
	}                                                                                                          \
	SEC("tp/syscalls/sys_exit_" #name)                                                                         \
	int handle_exit_##name(struct trace_event_raw_sys_exit *ctx)                                               \
	{                                                                                                          \
		return tf_exit_data(ctx);                                                                          \
	}

#define TF_SEND_ENTRY(name)                                                                                        \
	SEC("tp/syscalls/sys_enter_" #name)                                                                        \
	int handle_enter_##name(struct trace_event_raw_sys_enter *ctx)                                             \
	{                                                                                                          \
		return tf_enter_send(ctx);                                                                         \
	}

TF_SEND_ENTRY(write)
TF_SEND_ENTRY(writev)
TF_SEND_ENTRY(sendto)
TF_SEND_ENTRY(sendmsg)
TF_DATA_SYSCALL(read, TF_SYS_READ, TF_KIND_BUF, TF_DIR_INGRESS)
TF_DATA_SYSCALL(write, TF_SYS_WRITE, TF_KIND_BUF, TF_DIR_EGRESS)
TF_DATA_SYSCALL(readv, TF_SYS_READV, TF_KIND_IOV, TF_DIR_INGRESS)
TF_DATA_SYSCALL(writev, TF_SYS_WRITEV, TF_KIND_IOV, TF_DIR_EGRESS)
TF_DATA_SYSCALL(recvfrom, TF_SYS_RECVFROM, TF_KIND_BUF, TF_DIR_INGRESS)
TF_DATA_SYSCALL(sendto, TF_SYS_SENDTO, TF_KIND_BUF, TF_DIR_EGRESS)
TF_DATA_SYSCALL(recvmsg, TF_SYS_RECVMSG, TF_KIND_MSG, TF_DIR_INGRESS)
TF_DATA_SYSCALL(sendmsg, TF_SYS_SENDMSG, TF_KIND_MSG, TF_DIR_EGRESS)
TF_DATA_SYSCALL_ENTER_EXIT(recvmmsg, TF_SYS_RECVMMSG, TF_KIND_MMSG, TF_DIR_INGRESS)
TF_DATA_SYSCALL_ENTER_EXIT(sendmmsg, TF_SYS_SENDMMSG, TF_KIND_MMSG, TF_DIR_EGRESS)

/* connect/accept: only the role of the socket (the handshake tracepoints set it too; these cover UDP connect). */
static __always_inline int tf_enter_lifecycle(struct trace_event_raw_sys_enter *ctx, __u8 kind)
{
	TF_DISPATCH_ONLY_OUT();
	if ((__u32)(bpf_get_current_pid_tgid() >> 32) == tf_own_tgid)
		return 0;
	struct tf_thread *thread =
		bpf_task_storage_get(&tf_threads, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!thread)
		return 0;
	thread->fd = (int)ctx->args[0];
	thread->kind = kind;
	thread->pending = 1;
	return 0;
}

static __always_inline int tf_exit_lifecycle(struct trace_event_raw_sys_exit *ctx)
{
	TF_DISPATCH_ONLY_OUT();
	struct task_struct *task = bpf_get_current_task_btf();
	struct tf_thread *thread = bpf_task_storage_get(&tf_threads, task, 0, 0);
	if (!thread || !thread->pending)
		return 0;
	thread->pending = 0;
	__u8 kind = thread->kind;
	int fd = thread->fd;
	long ret = ctx->ret;
	if (kind == TF_KIND_CONNECT) {
		if (ret != 0 && ret != -TF_EINPROGRESS)
			return 0;
	} else if (kind == TF_KIND_ACCEPT) {
		if (ret < 0)
			return 0;
		fd = (int)ret;
	} else {
		return 0;
	}
	struct sock *sk = tf_sock_from_fd(task, fd);
	if (!sk)
		return 0;
	struct tf_sock_state *state;
	if (kind == TF_KIND_CONNECT && sk->sk_type == TF_SOCK_DGRAM)
		state = tf_sock_new((__u64)sk, TF_ROLE_CLIENT); /* a UDP connect starts a new flow */
	else
		state = tf_sock_get((__u64)sk);
	if (state)
		state->role = kind == TF_KIND_CONNECT ? TF_ROLE_CLIENT : TF_ROLE_SERVER;
	return 0;
}

SEC("tp/syscalls/sys_enter_connect")
int handle_enter_connect(struct trace_event_raw_sys_enter *ctx)
{
	return tf_enter_lifecycle(ctx, TF_KIND_CONNECT);
}

SEC("tp/syscalls/sys_exit_connect")
int handle_exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	return tf_exit_lifecycle(ctx);
}

SEC("tp/syscalls/sys_enter_accept")
int handle_enter_accept(struct trace_event_raw_sys_enter *ctx)
{
	return tf_enter_lifecycle(ctx, TF_KIND_ACCEPT);
}

SEC("tp/syscalls/sys_exit_accept")
int handle_exit_accept(struct trace_event_raw_sys_exit *ctx)
{
	return tf_exit_lifecycle(ctx);
}

SEC("tp/syscalls/sys_enter_accept4")
int handle_enter_accept4(struct trace_event_raw_sys_enter *ctx)
{
	return tf_enter_lifecycle(ctx, TF_KIND_ACCEPT);
}

SEC("tp/syscalls/sys_exit_accept4")
int handle_exit_accept4(struct trace_event_raw_sys_exit *ctx)
{
	return tf_exit_lifecycle(ctx);
}

/* close: a UDP socket never passes the TCP state tracepoints, so its entry is forgotten here; TCP entries are
 * replaced at the next handshake on a reused address (and aged out by the LRU). */
SEC("tp/syscalls/sys_enter_close")
int handle_enter_close(struct trace_event_raw_sys_enter *ctx)
{
	TF_DISPATCH_ONLY_OUT();
	if ((__u32)(bpf_get_current_pid_tgid() >> 32) == tf_own_tgid)
		return 0;
	struct sock *sk = tf_sock_from_fd(bpf_get_current_task_btf(), (int)ctx->args[0]);
	if (sk && sk->sk_type == TF_SOCK_DGRAM) {
		__u64 key = (__u64)sk;
		bpf_map_delete_elem(&tf_sockets, &key);
	}
	return 0;
}
