// SPDX-License-Identifier: Apache-2.0
/* A BPF ring buffer consumer: the memory layout of kernel/bpf/ringbuf.c, as libbpf's ringbuf.c reads it. */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include "collector.h"

#define TF_RB_HDR 8

int tf_ring_open(struct tf_ring *ring, int map_fd)
{
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info);
	memset(ring, 0, sizeof(*ring));
	ring->map_fd = map_fd;
	ring->epoll_fd = -1;
	ring->page_size = sysconf(_SC_PAGESIZE);
	if (bpf_obj_get_info_by_fd(map_fd, &info, &info_len))
		return -errno;
	ring->mask = info.max_entries - 1;
	void *consumer = mmap(NULL, ring->page_size, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (consumer == MAP_FAILED)
		return -errno;
	ring->consumer_pos = consumer;
	/* The data area is mapped twice back to back, so a record wrapping the end reads contiguously. */
	ring->mapped_len = ring->page_size + 2 * (size_t)info.max_entries;
	void *producer = mmap(NULL, ring->mapped_len, PROT_READ, MAP_SHARED, map_fd, ring->page_size);
	if (producer == MAP_FAILED) {
		int err = -errno;
		munmap(consumer, ring->page_size);
		ring->consumer_pos = NULL;
		return err;
	}
	ring->producer_pos = producer;
	ring->data = (uint8_t *)producer + ring->page_size;
	ring->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (ring->epoll_fd < 0)
		return -errno;
	struct epoll_event event = {.events = EPOLLIN};
	if (epoll_ctl(ring->epoll_fd, EPOLL_CTL_ADD, map_fd, &event))
		return -errno;
	return 0;
}

void tf_ring_close(struct tf_ring *ring)
{
	if (ring->epoll_fd >= 0)
		close(ring->epoll_fd);
	if (ring->producer_pos)
		munmap(ring->producer_pos, ring->mapped_len);
	if (ring->consumer_pos)
		munmap(ring->consumer_pos, ring->page_size);
	ring->epoll_fd = -1;
	ring->producer_pos = NULL;
	ring->consumer_pos = NULL;
}

static long tf_ring_copy(struct tf_ring *ring, uint8_t *dst, size_t capacity)
{
	unsigned long consumer = __atomic_load_n(ring->consumer_pos, __ATOMIC_ACQUIRE);
	unsigned long producer = __atomic_load_n(ring->producer_pos, __ATOMIC_ACQUIRE);
	size_t written = 0;
	while (consumer < producer) {
		uint32_t *header = (uint32_t *)(ring->data + (consumer & ring->mask));
		uint32_t len = __atomic_load_n(header, __ATOMIC_ACQUIRE);
		if (len & BPF_RINGBUF_BUSY_BIT)
			break; /* reserved, not committed yet: later records wait for it (order is kept) */
		uint32_t size = len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
		if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
			size_t out = 8 + ((size + 7) & ~7u);
			if (written + out > capacity)
				break;
			uint32_t prefix[2] = {size, 0};
			memcpy(dst + written, prefix, 8);
			memcpy(dst + written + 8, (uint8_t *)header + TF_RB_HDR, size);
			written += out;
		}
		consumer += (size + TF_RB_HDR + 7) & ~7ul;
		__atomic_store_n(ring->consumer_pos, consumer, __ATOMIC_RELEASE);
	}
	return (long)written;
}

long tf_ring_drain(struct tf_ring *ring, uint8_t *dst, size_t capacity, int timeout_ms)
{
	long written = tf_ring_copy(ring, dst, capacity);
	if (written != 0 || timeout_ms <= 0)
		return written;
	struct epoll_event event;
	int ready = epoll_wait(ring->epoll_fd, &event, 1, timeout_ms);
	if (ready < 0)
		return errno == EINTR ? 0 : -errno;
	/* Timed out or woken: with batched wakeups records may be queued without a wakeup, so look either way. */
	return tf_ring_copy(ring, dst, capacity);
}
