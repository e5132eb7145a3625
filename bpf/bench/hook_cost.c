// SPDX-License-Identifier: Apache-2.0
/*
 * hook_cost: the CPU time a traced syscall pays for each kind of hook and for each part of a capture, on this
 * machine (hook_cost.bpf.c says what each program does). Modes run interleaved within every round, so load drifts
 * hit all alike; the figure is the calling thread's CPU time per call (CLOCK_THREAD_CPUTIME_ID) minus that of the
 * same round without programs, as min / median over the rounds.
 *
 *   hook_cost [--calls N] [--rounds R]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "hook_cost.skel.h"

#define MAX_ROUNDS 64

struct mode {
	const char *what;
	const char *progs[2];
};

static const struct mode MODES[] = {
	{"no programs (baseline)", {0}},
	{"per-syscall tracepoint, exit, empty", {"tp_exit_empty"}},
	{"per-syscall tracepoints, enter + exit, empty", {"tp_enter_empty", "tp_exit_empty"}},
	{"another syscall's enter + exit (untraced call)", {"tp_other_enter_empty", "tp_other_exit_empty"}},
	{"tp_btf sys_exit (every syscall), empty", {"btf_exit_empty"}},
	{"tp_btf sys_enter + sys_exit, empty", {"btf_enter_empty", "btf_exit_empty"}},
	{"tp_btf sys_exit: clock read only", {"btf_exit_clock"}},
	{"tp_btf sys_exit: 64 B user copy only", {"btf_exit_copy"}},
	{"tp_btf sys_exit: ring record only", {"btf_exit_ring"}},
	{"minimal capture, per-syscall exit", {"tp_exit_capture"}},
	{"minimal capture, tp_btf sys_exit", {"btf_exit_capture"}},
};
#define NMODES (sizeof(MODES) / sizeof(MODES[0]))

static volatile int stop;
static struct ring_buffer *ring;
static long records;
static char payload[64] = "GET /api/products/42 HTTP/1.1\r\nHost: catalog\r\nAccept: */*\r\n\r\n";

static int on_record(void *ctx, void *data, size_t len)
{
	records++;
	return 0;
}

static void *drain(void *arg)
{
	while (!stop) {
		ring_buffer__consume(ring);
		usleep(200);
	}
	return NULL;
}

static double thread_cpu_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static double per_call_ns(long calls)
{
	double start = thread_cpu_ns();
	for (long i = 0; i < calls; i++)
		syscall(SYS_getppid);
	return (thread_cpu_ns() - start) / calls;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	long calls = 500000;
	int rounds = 7;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--calls") && i + 1 < argc)
			calls = atol(argv[++i]);
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: hook_cost [--calls N] [--rounds R (1..%d)]\n", MAX_ROUNDS);
			return 2;
		}
	}
	if (calls < 1000 || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "hook_cost: --calls must be >= 1000 and --rounds 1..%d\n", MAX_ROUNDS);
		return 2;
	}
	libbpf_set_print(NULL);
	struct hook_cost *skel = hook_cost__open();
	if (!skel) {
		fprintf(stderr, "hook_cost: open failed: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->hc_tgid = getpid();
	skel->rodata->hc_src = (unsigned long)payload;
	int err = hook_cost__load(skel);
	if (err) {
		fprintf(stderr, "hook_cost: load failed (%s): root, BTF and tracefs are needed\n", strerror(-err));
		return 1;
	}
	ring = ring_buffer__new(bpf_map__fd(skel->maps.hc_ring), on_record, NULL, NULL);
	pthread_t drainer;
	pthread_create(&drainer, NULL, drain, NULL);

	static double ns[NMODES][MAX_ROUNDS];
	per_call_ns(calls); /* warm up */
	for (int r = 0; r < rounds; r++) {
		for (size_t m = 0; m < NMODES; m++) {
			struct bpf_link *links[2] = {0};
			for (int p = 0; p < 2 && MODES[m].progs[p]; p++) {
				struct bpf_program *prog = bpf_object__find_program_by_name(skel->obj, MODES[m].progs[p]);
				links[p] = prog ? bpf_program__attach(prog) : NULL;
				if (!links[p]) {
					fprintf(stderr, "hook_cost: attach %s failed: %s\n", MODES[m].progs[p], strerror(errno));
					return 1;
				}
			}
			ns[m][r] = per_call_ns(calls);
			for (int p = 0; p < 2; p++)
				bpf_link__destroy(links[p]);
		}
	}
	stop = 1;
	pthread_join(drainer, NULL);
	ring_buffer__consume(ring);

	printf("hook cost on this machine: getppid, %ld calls x %d rounds; thread CPU ns added per call, min / median\n",
	       calls, rounds);
	printf("  %-48s %7.0f ns per call without programs (round 1)\n", MODES[0].what, ns[0][0]);
	for (size_t m = 1; m < NMODES; m++) {
		double added[MAX_ROUNDS];
		for (int r = 0; r < rounds; r++)
			added[r] = ns[m][r] - ns[0][r];
		qsort(added, rounds, sizeof(double), by_value);
		printf("  %-48s %7.0f %7.0f\n", MODES[m].what, added[0], added[rounds / 2]);
	}
	long expected = 3L * calls * rounds; /* ring only and the two captures: one record per call */
	printf("  ring records read: %ld of %ld%s\n", records, expected,
	       records == expected ? "" : " (the ring was full at times: the capture figures are low)");
	ring_buffer__free(ring);
	hook_cost__destroy(skel);
	return 0;
}
