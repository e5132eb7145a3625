/* SPDX-License-Identifier: Apache-2.0 */
/* The event ring buffer shared by all programs, and the per-CPU counters (drops by reason, events). */
#ifndef TAPFLOW_RING_H
#define TAPFLOW_RING_H

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024); /* resized by the loader (BpfSettings.ringBufferBytes) */
} tf_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TF_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} tf_counters SEC(".maps");

static __always_inline void tf_count(__u32 index)
{
	__u64 *value = bpf_map_lookup_elem(&tf_counters, &index);
	if (value)
		*value += 1; /* per-CPU: no atomic needed */
}

/*
 * Batched wakeups: a wakeup per record dominates the cost in a VM (FINDINGS), so records are committed without
 * waking the reader until tf_wakeup_bytes are queued. The reader's poll timeout is the latency backstop.
 */
static __always_inline void tf_emit(void *record, __u64 size)
{
	__u64 flags = bpf_ringbuf_query(&tf_events, BPF_RB_AVAIL_DATA) >= tf_wakeup_bytes ? BPF_RB_FORCE_WAKEUP
											   : BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_output(&tf_events, record, size, flags))
		tf_count(TF_CNT_DROP_RINGBUF_FULL);
	else
		tf_count(TF_CNT_EVENTS);
}

#endif
