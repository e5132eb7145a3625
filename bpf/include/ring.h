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

/* Per CPU: when this CPU last forced a wakeup, and the bytes it emitted since it last looked at the ring's fill. */
struct tf_wakeup_state {
	__u64 forced_at_ns;
	__u64 unchecked_bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tf_wakeup_state);
} tf_wakeup SEC(".maps");

/* At most one forced wakeup per CPU per this many ns while the reader lags behind (see tf_emit). */
#define TF_WAKEUP_SPACING_NS 50000

/*
 * Batched wakeups: a wakeup per record dominates the cost in a VM (FINDINGS), so records are committed without
 * waking the reader until tf_wakeup_bytes are queued. The reader's poll timeout is the latency backstop.
 *
 * Two refinements, both measured (bpf/README.md): forcing a wakeup queues an irq_work, a self-IPI (a VM exit) each
 * time; while a busy reader stays above the threshold every record used to force one. Now a CPU forces at most one
 * per TF_WAKEUP_SPACING_NS (the reader, woken by the first, drains everything it finds; its poll on the ring is
 * level-triggered, so it never sleeps while data is queued). And asking the ring for its fill reads the consumer
 * position, a cache line the reader keeps writing from another CPU: a CPU asks only after emitting another 1/16 of
 * the threshold itself. tf_wakeup_bytes == 0 keeps a wakeup per record.
 */
static __always_inline void tf_emit(void *record, __u64 size, __u64 now)
{
	__u64 flags = BPF_RB_NO_WAKEUP;
	if (tf_wakeup_bytes == 0) {
		flags = BPF_RB_FORCE_WAKEUP;
	} else {
		__u32 zero = 0;
		struct tf_wakeup_state *w = bpf_map_lookup_elem(&tf_wakeup, &zero);
		if (w) {
			w->unchecked_bytes += size;
			if (w->unchecked_bytes >= (tf_wakeup_bytes >> 4)) {
				w->unchecked_bytes = 0;
				if (bpf_ringbuf_query(&tf_events, BPF_RB_AVAIL_DATA) >= tf_wakeup_bytes &&
				    now - w->forced_at_ns >= TF_WAKEUP_SPACING_NS) {
					w->forced_at_ns = now;
					flags = BPF_RB_FORCE_WAKEUP;
				}
			}
		}
	}
	if (bpf_ringbuf_output(&tf_events, record, size, flags))
		tf_count(TF_CNT_DROP_RINGBUF_FULL);
	else
		tf_count(TF_CNT_EVENTS);
}

#endif
