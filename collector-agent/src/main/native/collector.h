/* SPDX-License-Identifier: Apache-2.0 */
/* The JNI shim's internal interfaces: the loader (two skeletons, shared maps) and the ring reader. */
#ifndef TAPFLOW_COLLECTOR_H
#define TAPFLOW_COLLECTOR_H

#include <stddef.h>
#include <stdint.h>

struct socket_trace;
struct tcp_events;
struct bpf_link;

/* A memory-mapped BPF ring buffer read without libbpf's callback API, so a full Java buffer can stop the drain
 * without consuming (and losing) the record that did not fit. */
struct tf_ring {
	int map_fd;
	int epoll_fd;
	size_t mask;                   /* data size - 1 */
	unsigned long *consumer_pos;   /* rw page */
	unsigned long *producer_pos;   /* ro page, then the data pages mapped twice */
	uint8_t *data;
	size_t mapped_len;
	long page_size;
};

#define TF_MAX_LINKS 64

struct tf_collector {
	struct socket_trace *socket_trace;
	struct tcp_events *tcp_events;
	struct bpf_link *links[TF_MAX_LINKS];
	int link_count;
	struct tf_ring ring;
	int ncpus;
};

struct tf_open_settings {
	uint64_t ring_bytes;
	uint64_t wakeup_bytes;
	uint64_t id_base;
	uint32_t dispatch_only; /* every program returns at once (the bench's floor) */
};

/* Loads and attaches both objects; 0 or -errno with *what set to the step that failed. `info` receives a
 * human-readable note of what was probed and skipped. */
int tf_collector_open(const struct tf_open_settings *settings, struct tf_collector **out, char *what,
		      size_t what_len, char *info, size_t info_len);
void tf_collector_close(struct tf_collector *collector);

int tf_ring_open(struct tf_ring *ring, int map_fd);
void tf_ring_close(struct tf_ring *ring);
/* Copies whole records as [u32 length][u32 0][record, padded to 8] into dst; stops before a record that does not
 * fit. Waits up to timeout_ms for the first record. Returns bytes written or -errno. */
long tf_ring_drain(struct tf_ring *ring, uint8_t *dst, size_t capacity, int timeout_ms);

#endif
