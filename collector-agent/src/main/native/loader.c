// SPDX-License-Identifier: Apache-2.0
/*
 * Loads socket_trace and tcp_events, sharing their common maps (ring, counters, config, filters, socket state),
 * and attaches their tracepoints. Tracepoints only: kprobes and fentry are refused on the machines we run on.
 * Feature probing: a program whose tracepoint this kernel lacks is not loaded (and named in `info`); the
 * syscall data tracepoints are required, everything else is optional.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "collector.h"
#include "socket_trace.skel.h"
#include "tcp_events.skel.h"

#define TF_TRACEFS "/sys/kernel/tracing"

static void tf_note(char *info, size_t info_len, const char *fmt, const char *arg)
{
	size_t used = strnlen(info, info_len);
	if (used + 1 < info_len)
		snprintf(info + used, info_len - used, fmt, arg);
}

static int tf_fail(char *what, size_t what_len, const char *step, int err)
{
	snprintf(what, what_len, "%s", step);
	return err < 0 ? err : -err;
}

/* Attaching a tracepoint needs tracefs; a fresh machine may not have it mounted. */
static int tf_ensure_tracefs(char *info, size_t info_len)
{
	if (access(TF_TRACEFS "/events", F_OK) == 0 || access("/sys/kernel/debug/tracing/events", F_OK) == 0)
		return 0;
	if (mount("tracefs", TF_TRACEFS, "tracefs", 0, NULL))
		return -errno;
	tf_note(info, info_len, "mounted tracefs at %s; ", TF_TRACEFS);
	return 0;
}

/* "tp/<category>/<name>" -> does /sys/kernel/tracing/events/<category>/<name> exist? */
static int tf_tracepoint_exists(const char *section)
{
	const char *path = strchr(section, '/');
	char events[512];
	if (!path)
		return 0;
	snprintf(events, sizeof(events), TF_TRACEFS "/events%s", path);
	if (access(events, F_OK) == 0)
		return 1;
	snprintf(events, sizeof(events), "/sys/kernel/debug/tracing/events%s", path);
	return access(events, F_OK) == 0;
}

static void tf_probe_programs(struct bpf_object *obj, int required, char *info, size_t info_len, int *missing)
{
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj)
	{
		if (tf_tracepoint_exists(bpf_program__section_name(prog)))
			continue;
		bpf_program__set_autoload(prog, false);
		tf_note(info, info_len, "tracepoint missing, not attached: %s; ", bpf_program__section_name(prog));
		if (required)
			*missing = 1;
	}
}

static int tf_attach_all(struct tf_collector *c, struct bpf_object *obj, char *what, size_t what_len)
{
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj)
	{
		if (!bpf_program__autoload(prog))
			continue;
		if (c->link_count >= TF_MAX_LINKS)
			return tf_fail(what, what_len, "attach: too many programs", -E2BIG);
		struct bpf_link *link = bpf_program__attach(prog);
		if (!link) {
			int err = -errno;
			snprintf(what, what_len, "attach %s", bpf_program__section_name(prog));
			return err;
		}
		c->links[c->link_count++] = link;
	}
	return 0;
}

#define TF_SHARE(map)                                                                                              \
	do {                                                                                                       \
		err = bpf_map__reuse_fd(c->tcp_events->maps.map, bpf_map__fd(c->socket_trace->maps.map));           \
		if (err)                                                                                           \
			return tf_fail(what, what_len, "share map " #map " with tcp_events", err);                 \
	} while (0)

static int tf_open_both(struct tf_collector *c, const struct tf_open_settings *s, char *what, size_t what_len,
			char *info, size_t info_len)
{
	int err, missing = 0;
	c->socket_trace = socket_trace__open();
	if (!c->socket_trace)
		return tf_fail(what, what_len, "open socket_trace (is /sys/kernel/btf/vmlinux there?)", -errno);
	c->socket_trace->rodata->tf_own_tgid = getpid();
	c->socket_trace->rodata->tf_wakeup_bytes = s->wakeup_bytes;
	c->socket_trace->rodata->tf_id_base = s->id_base;
	c->socket_trace->rodata->tf_dispatch_only = s->dispatch_only;
	err = bpf_map__set_max_entries(c->socket_trace->maps.tf_events, (__u32)s->ring_bytes);
	if (err)
		return tf_fail(what, what_len, "size the ring buffer", err);
	tf_probe_programs(c->socket_trace->obj, 1, info, info_len, &missing);
	if (missing)
		return tf_fail(what, what_len, "probe syscall tracepoints (required ones are missing)", -ENOENT);
	err = socket_trace__load(c->socket_trace);
	if (err)
		return tf_fail(what, what_len, "load socket_trace (verifier log above on stderr)", err);

	c->tcp_events = tcp_events__open();
	if (!c->tcp_events)
		return tf_fail(what, what_len, "open tcp_events", -errno);
	c->tcp_events->rodata->tf_own_tgid = getpid();
	c->tcp_events->rodata->tf_wakeup_bytes = s->wakeup_bytes;
	c->tcp_events->rodata->tf_id_base = s->id_base;
	c->tcp_events->rodata->tf_dispatch_only = s->dispatch_only;
	TF_SHARE(tf_events);
	TF_SHARE(tf_counters);
	TF_SHARE(tf_config_map);
	TF_SHARE(tf_port_filter);
	TF_SHARE(tf_pid_filter);
	TF_SHARE(tf_cgroup_filter);
	TF_SHARE(tf_sockets);
	TF_SHARE(tf_id_counters);
	tf_probe_programs(c->tcp_events->obj, 0, info, info_len, &missing);
	err = tcp_events__load(c->tcp_events);
	if (err)
		return tf_fail(what, what_len, "load tcp_events (verifier log above on stderr)", err);

	err = tf_attach_all(c, c->socket_trace->obj, what, what_len);
	if (!err)
		err = tf_attach_all(c, c->tcp_events->obj, what, what_len);
	return err;
}

int tf_collector_open(const struct tf_open_settings *settings, struct tf_collector **out, char *what,
		      size_t what_len, char *info, size_t info_len)
{
	if (settings->ring_bytes < 4096 || (settings->ring_bytes & (settings->ring_bytes - 1)) ||
	    settings->ring_bytes > (1ull << 30))
		return tf_fail(what, what_len, "ring buffer size must be a power of two, 4 KiB..1 GiB", -EINVAL);
	int err = tf_ensure_tracefs(info, info_len);
	if (err)
		return tf_fail(what, what_len, "mount tracefs at " TF_TRACEFS, err);
	struct tf_collector *c = calloc(1, sizeof(*c));
	if (!c)
		return tf_fail(what, what_len, "allocate", -ENOMEM);
	c->ring.epoll_fd = -1;
	c->ncpus = libbpf_num_possible_cpus();
	err = c->ncpus < 0 ? tf_fail(what, what_len, "count possible CPUs", c->ncpus)
			   : tf_open_both(c, settings, what, what_len, info, info_len);
	if (!err) {
		err = tf_ring_open(&c->ring, bpf_map__fd(c->socket_trace->maps.tf_events));
		if (err)
			tf_fail(what, what_len, "map the ring buffer", err);
	}
	if (err) {
		tf_collector_close(c);
		return err;
	}
	*out = c;
	return 0;
}

void tf_collector_close(struct tf_collector *c)
{
	if (!c)
		return;
	/* Detach first so nothing writes the ring while it is unmapped. */
	for (int i = 0; i < c->link_count; i++)
		bpf_link__destroy(c->links[i]);
	tf_ring_close(&c->ring);
	tcp_events__destroy(c->tcp_events);
	socket_trace__destroy(c->socket_trace);
	free(c);
}
