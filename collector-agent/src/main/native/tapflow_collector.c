// SPDX-License-Identifier: Apache-2.0
/*
 * JNI entry points of io.tapflow.collector.bpf.BpfNative (seven natives). Failures come back as -errno; the Java
 * wrapper turns them into IOException naming the errno and the step that failed.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <jni.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "events.h"
#include "collector.h"
#include "socket_trace.skel.h"

#define TF_JNI(name) Java_io_tapflow_collector_bpf_BpfNative_##name

/* The layout the Java decoder checks at start-up, in the order of EventLayout.Field. */
static const jint tf_layout[] = {
	sizeof(struct tf_data_event),
	offsetof(struct tf_data_event, type),
	offsetof(struct tf_data_event, tgid),
	offsetof(struct tf_data_event, tid),
	offsetof(struct tf_data_event, fd),
	offsetof(struct tf_data_event, socket_id),
	offsetof(struct tf_data_event, ts_ns),
	offsetof(struct tf_data_event, duration_ns),
	offsetof(struct tf_data_event, byte_count),
	offsetof(struct tf_data_event, data_seq),
	offsetof(struct tf_data_event, thread_trace_id),
	offsetof(struct tf_data_event, cgroup_id),
	offsetof(struct tf_data_event, netns_inode),
	offsetof(struct tf_data_event, tcp_seq),
	offsetof(struct tf_data_event, local_addr),
	offsetof(struct tf_data_event, remote_addr),
	offsetof(struct tf_data_event, local_port),
	offsetof(struct tf_data_event, remote_port),
	offsetof(struct tf_data_event, payload_len),
	offsetof(struct tf_data_event, family),
	offsetof(struct tf_data_event, l4_protocol),
	offsetof(struct tf_data_event, role),
	offsetof(struct tf_data_event, direction),
	offsetof(struct tf_data_event, syscall),
	offsetof(struct tf_data_event, flags),
	offsetof(struct tf_data_event, comm),
	sizeof(struct tf_tcp_event),
	offsetof(struct tf_tcp_event, type),
	offsetof(struct tf_tcp_event, tgid),
	offsetof(struct tf_tcp_event, socket_id),
	offsetof(struct tf_tcp_event, ts_ns),
	offsetof(struct tf_tcp_event, connect_latency_ns),
	offsetof(struct tf_tcp_event, bytes_acked),
	offsetof(struct tf_tcp_event, bytes_received),
	offsetof(struct tf_tcp_event, srtt_us),
	offsetof(struct tf_tcp_event, total_retrans),
	offsetof(struct tf_tcp_event, local_addr),
	offsetof(struct tf_tcp_event, remote_addr),
	offsetof(struct tf_tcp_event, local_port),
	offsetof(struct tf_tcp_event, remote_port),
	offsetof(struct tf_tcp_event, family),
	offsetof(struct tf_tcp_event, event_type),
	offsetof(struct tf_tcp_event, close_type),
	offsetof(struct tf_tcp_event, old_state),
	offsetof(struct tf_tcp_event, new_state),
	offsetof(struct tf_tcp_event, flags),
	offsetof(struct tf_tcp_event, comm),
	sizeof(struct tf_config),
	TF_MAX_PAYLOAD,
	TF_CNT_MAX,
	TF_EVENT_SOCKET_DATA,
	TF_EVENT_TCP,
};

JNIEXPORT jint JNICALL TF_JNI(layout0)(JNIEnv *env, jclass cls, jintArray out)
{
	jint count = sizeof(tf_layout) / sizeof(tf_layout[0]);
	if ((*env)->GetArrayLength(env, out) < count)
		return -EINVAL;
	(*env)->SetIntArrayRegion(env, out, 0, count, tf_layout);
	return count;
}

JNIEXPORT jstring JNICALL TF_JNI(errnoName0)(JNIEnv *env, jclass cls, jint err)
{
	const char *name = strerrorname_np(err);
	char text[160];
	snprintf(text, sizeof(text), "%s (%s)", name ? name : "errno", strerror(err));
	return (*env)->NewStringUTF(env, text);
}

/* messages[0] receives the failed step on error, or what was probed/skipped on success. */
JNIEXPORT jlong JNICALL TF_JNI(open0)(JNIEnv *env, jclass cls, jlong ring_bytes, jlong wakeup_bytes, jlong id_base,
				      jboolean dispatch_only, jobjectArray messages)
{
	struct tf_open_settings settings = {
		.ring_bytes = (uint64_t)ring_bytes,
		.wakeup_bytes = (uint64_t)wakeup_bytes,
		.id_base = (uint64_t)id_base,
		.dispatch_only = dispatch_only ? 1 : 0,
	};
	char what[256] = "", info[1024] = "";
	struct tf_collector *collector = NULL;
	int err = tf_collector_open(&settings, &collector, what, sizeof(what), info, sizeof(info));
	jstring message = (*env)->NewStringUTF(env, err ? what : info);
	if (message)
		(*env)->SetObjectArrayElement(env, messages, 0, message);
	return err ? err : (jlong)(intptr_t)collector;
}

JNIEXPORT jint JNICALL TF_JNI(drain0)(JNIEnv *env, jclass cls, jlong handle, jobject buffer, jint capacity,
				      jint timeout_ms)
{
	struct tf_collector *c = (struct tf_collector *)(intptr_t)handle;
	uint8_t *dst = (*env)->GetDirectBufferAddress(env, buffer);
	if (!dst || capacity > (*env)->GetDirectBufferCapacity(env, buffer))
		return -EINVAL;
	return (jint)tf_ring_drain(&c->ring, dst, (size_t)capacity, timeout_ms);
}

/* Sums the per-CPU counters into out[0..TF_CNT_MAX). */
JNIEXPORT jint JNICALL TF_JNI(counters0)(JNIEnv *env, jclass cls, jlong handle, jlongArray out)
{
	struct tf_collector *c = (struct tf_collector *)(intptr_t)handle;
	int fd = bpf_map__fd(c->socket_trace->maps.tf_counters);
	__u64 *values = calloc(c->ncpus, sizeof(__u64));
	jlong sums[TF_CNT_MAX] = {0};
	if (!values)
		return -ENOMEM;
	for (__u32 index = 0; index < TF_CNT_MAX; index++) {
		if (bpf_map_lookup_elem(fd, &index, values)) {
			int err = -errno;
			free(values);
			return err;
		}
		for (int cpu = 0; cpu < c->ncpus; cpu++)
			sums[index] += (jlong)values[cpu];
	}
	free(values);
	(*env)->SetLongArrayRegion(env, out, 0, TF_CNT_MAX, sums);
	return TF_CNT_MAX;
}

/* Makes a filter map hold exactly keys -> bits: new entries first, then stale ones removed, so a key that stays
 * never disappears in between. key_size is 2, 4 or 8; keys come widened to 64 bits. */
static int tf_replace_filter(int fd, size_t key_size, const jlong *keys, const jbyte *bits, jsize count)
{
	for (jsize i = 0; i < count; i++) {
		__u64 key = (__u64)keys[i];
		__u8 value = (__u8)bits[i];
		if (bpf_map_update_elem(fd, &key, &value, BPF_ANY)) /* little-endian: the low bytes are the key */
			return -errno;
	}
	__u64 current = 0, next = 0;
	void *previous = NULL;
	while (bpf_map_get_next_key(fd, previous, &next) == 0) {
		int keep = 0;
		for (jsize i = 0; i < count && !keep; i++)
			keep = memcmp(&next, &keys[i], key_size) == 0;
		if (!keep) {
			if (bpf_map_delete_elem(fd, &next))
				return -errno;
			/* deleted: continue from the previous key (NULL restarts, which is fine for small maps) */
		} else {
			current = next;
			previous = &current;
		}
	}
	return 0;
}

/* The port filter is an array indexed by port: every entry is written in one batch, listed ports with their bits,
 * all others 0. Entries are written one by one in the kernel, so a port that stays listed never reads 0. */
static int tf_replace_port_filter(int fd, const jlong *keys, const jbyte *bits, jsize count)
{
	__u32 *indexes = malloc(TF_PORTS * sizeof(*indexes));
	__u8 *values = calloc(TF_PORTS, 1);
	int err = 0;
	if (!indexes || !values) {
		err = -ENOMEM;
		goto out;
	}
	for (__u32 port = 0; port < TF_PORTS; port++)
		indexes[port] = port;
	for (jsize i = 0; i < count; i++) {
		if (keys[i] < 0 || keys[i] >= TF_PORTS) {
			err = -EINVAL;
			goto out;
		}
		values[keys[i]] = (__u8)bits[i];
	}
	__u32 n = TF_PORTS;
	if (bpf_map_update_batch(fd, indexes, values, &n, NULL))
		err = -errno;
out:
	free(indexes);
	free(values);
	return err;
}

static int tf_filter_from_java(JNIEnv *env, int fd, size_t key_size, jlongArray keys, jbyteArray bits)
{
	jsize count = (*env)->GetArrayLength(env, keys);
	if ((*env)->GetArrayLength(env, bits) != count)
		return -EINVAL;
	jlong *key_values = (*env)->GetLongArrayElements(env, keys, NULL);
	jbyte *bit_values = (*env)->GetByteArrayElements(env, bits, NULL);
	int err = !key_values || !bit_values ? -ENOMEM
		  : key_size == 0  ? tf_replace_port_filter(fd, key_values, bit_values, count)
				   : tf_replace_filter(fd, key_size, key_values, bit_values, count);
	if (key_values)
		(*env)->ReleaseLongArrayElements(env, keys, key_values, JNI_ABORT);
	if (bit_values)
		(*env)->ReleaseByteArrayElements(env, bits, bit_values, JNI_ABORT);
	return err;
}

/* settings = {payload_bytes, sample_one_in, flags, rtt_interval_ms}; filters as parallel key/bit arrays. */
JNIEXPORT jint JNICALL TF_JNI(configure0)(JNIEnv *env, jclass cls, jlong handle, jintArray settings,
					  jlongArray ports, jbyteArray port_bits, jlongArray pids, jbyteArray pid_bits,
					  jlongArray cgroups, jbyteArray cgroup_bits)
{
	struct tf_collector *c = (struct tf_collector *)(intptr_t)handle;
	struct socket_trace *st = c->socket_trace;
	jint values[4];
	if ((*env)->GetArrayLength(env, settings) != 4)
		return -EINVAL;
	(*env)->GetIntArrayRegion(env, settings, 0, 4, values);
	int err = tf_filter_from_java(env, bpf_map__fd(st->maps.tf_port_filter), 0 /* array */, ports, port_bits);
	if (!err)
		err = tf_filter_from_java(env, bpf_map__fd(st->maps.tf_pid_filter), 4, pids, pid_bits);
	if (!err)
		err = tf_filter_from_java(env, bpf_map__fd(st->maps.tf_cgroup_filter), 8, cgroups, cgroup_bits);
	if (err)
		return err;
	/* Last: the flags that tell the programs which lists to consult. */
	struct tf_config config = {
		.payload_bytes = (__u32)values[0],
		.sample_one_in = (__u32)values[1],
		.flags = (__u32)values[2],
		.rtt_interval_ms = (__u32)values[3],
	};
	__u32 zero = 0;
	if (config.payload_bytes > TF_MAX_PAYLOAD || config.sample_one_in == 0)
		return -EINVAL;
	if (bpf_map_update_elem(bpf_map__fd(st->maps.tf_config_map), &zero, &config, BPF_ANY))
		return -errno;
	return 0;
}

JNIEXPORT void JNICALL TF_JNI(close0)(JNIEnv *env, jclass cls, jlong handle)
{
	tf_collector_close((struct tf_collector *)(intptr_t)handle);
}
