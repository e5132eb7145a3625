/* SPDX-License-Identifier: Apache-2.0 */
/* Load-time settings: read-only data the loader writes before load, so the verifier sees constants. */
#ifndef TAPFLOW_SETTINGS_H
#define TAPFLOW_SETTINGS_H

/* The collector's own process: excluded before any other work, so it never captures its own Kafka traffic. */
const volatile __u32 tf_own_tgid = 0;
/* Wake the reader only when at least this many bytes are queued; its poll timeout bounds the latency otherwise. */
const volatile __u64 tf_wakeup_bytes = 256 * 1024;
/* High bits of socket and thread-trace ids: the agent's start time, so ids of two agent runs never collide. */
const volatile __u64 tf_id_base = 0;
/*
 * Every program returns at once: the same tracepoints attached, none of our work. SyscallOverheadBench measures
 * this as the floor (what the kernel's tracepoint dispatch costs a traced call here). rodata is frozen before load,
 * so the verifier sees a constant and prunes the rest of each program.
 */
const volatile __u32 tf_dispatch_only = 0;
#define TF_DISPATCH_ONLY_OUT()                                                                                     \
	do {                                                                                                       \
		if (tf_dispatch_only)                                                                              \
			return 0;                                                                                  \
	} while (0)

#endif
