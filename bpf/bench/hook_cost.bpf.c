// SPDX-License-Identifier: GPL-2.0
/*
 * What a hook and the parts of a capture cost a syscall on this machine, apart from the collector's own logic:
 * the platform floor under `./tapflow bench collector`'s per-call figures. The traced call is getppid (cheap,
 * deterministic, its own per-syscall tracepoint); "capture" is the least any capture does — a clock read, a copy
 * of 64 B of user memory, one ring record the size of a data event with 64 B of payload — with no socket walk and
 * no map but the ring. Each program is attached alone, by hook_cost.c.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "events.h"

char LICENSE[] SEC("license") = "GPL";

#define HC_NR_GETPPID 110 /* x86-64 */

const volatile __u32 hc_tgid = 0;  /* the bench's process */
const volatile __u64 hc_src = 0;   /* 64 B of its memory, copied as a payload */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 26);
} hc_ring SEC(".maps");

struct hc_record {
	struct tf_data_event event;
	__u8 payload[64];
};

/* One record the size of a data event with 64 B of payload; full: with a clock read and the payload copied. */
static __always_inline int hc_emit(int full)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (tgid != hc_tgid)
		return 0;
	struct hc_record *r = bpf_ringbuf_reserve(&hc_ring, sizeof(*r), 0);
	if (!r)
		return 0;
	r->event.type = TF_EVENT_SOCKET_DATA;
	r->event.tgid = tgid;
	if (full) {
		r->event.ts_ns = bpf_ktime_get_ns();
		r->event.payload_len = 64;
		bpf_probe_read_user(r->payload, sizeof(r->payload), (const void *)hc_src);
	}
	/* the collector's batched wakeups: the reader polls */
	bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	return 0;
}

/* Per-syscall tracepoints: what the collector attaches. */
SEC("tp/syscalls/sys_enter_getppid")
int tp_enter_empty(void *ctx) { return 0; }

SEC("tp/syscalls/sys_exit_getppid")
int tp_exit_empty(void *ctx) { return 0; }

SEC("tp/syscalls/sys_exit_getppid")
int tp_exit_capture(void *ctx) { return hc_emit(1); }

/* The raw syscall tracepoints with BTF-typed arguments: run for every syscall of every process. */
SEC("tp_btf/sys_enter")
int BPF_PROG(btf_enter_empty, struct pt_regs *regs, long id) { return 0; }

SEC("tp_btf/sys_exit")
int BPF_PROG(btf_exit_empty, struct pt_regs *regs, long ret) { return 0; }

SEC("tp_btf/sys_exit")
int BPF_PROG(btf_exit_capture, struct pt_regs *regs, long ret)
{
	return regs->orig_ax == HC_NR_GETPPID ? hc_emit(1) : 0;
}

/* The parts of a capture alone, on the cheapest hook. */
SEC("tp_btf/sys_exit")
int BPF_PROG(btf_exit_clock, struct pt_regs *regs, long ret)
{
	if (regs->orig_ax != HC_NR_GETPPID)
		return 0;
	return bpf_ktime_get_ns() == 1;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(btf_exit_copy, struct pt_regs *regs, long ret)
{
	if (regs->orig_ax != HC_NR_GETPPID)
		return 0;
	__u8 buf[64];
	if (bpf_probe_read_user(buf, sizeof(buf), (const void *)hc_src))
		return 0;
	return buf[3] == 7;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(btf_exit_ring, struct pt_regs *regs, long ret)
{
	return regs->orig_ax == HC_NR_GETPPID ? hc_emit(0) : 0;
}

/* Another syscall's tracepoints: what a call the collector does not trace pays for them (the slow syscall path). */
SEC("tp/syscalls/sys_enter_getuid")
int tp_other_enter_empty(void *ctx) { return 0; }

SEC("tp/syscalls/sys_exit_getuid")
int tp_other_exit_empty(void *ctx) { return 0; }
