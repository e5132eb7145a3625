/* SPDX-License-Identifier: Apache-2.0 */
/* Run-time capture filter: the tf_config settings and the port/pid/cgroup allow/deny maps the Java side updates. */
#ifndef TAPFLOW_CONFIG_H
#define TAPFLOW_CONFIG_H

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tf_config);
} tf_config_map SEC(".maps");

/* Indexed by port: both ends of every call on a socket are checked while a port list is set, and an array
 * lookup is inlined by the verifier where a hash lookup is a helper call and a hash (bpf/README.md). The JNI shim
 * writes all TF_PORTS entries in one batch. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TF_PORTS);
	__type(key, __u32);
	__type(value, __u8); /* TF_FILTER_* bits */
} tf_port_filter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} tf_pid_filter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} tf_cgroup_filter SEC(".maps");

/* NULL until the agent has written its settings: between attach and the first configure the zero-filled element
 * would mean "no filter", and the programs would capture every process on the host. sample_one_in is never 0 once
 * written (the shim refuses it). */
static __always_inline struct tf_config *tf_config(void)
{
	__u32 zero = 0;
	struct tf_config *cfg = bpf_map_lookup_elem(&tf_config_map, &zero);
	return cfg && cfg->sample_one_in ? cfg : NULL;
}

/* Deny wins over allow; an empty allow list allows everything. The maps are only read when a list is non-empty. */
static __always_inline int tf_verdict(__u8 bits, int allow_list_set)
{
	if (bits & TF_FILTER_DENY)
		return 0;
	return !allow_list_set || (bits & TF_FILTER_ALLOW);
}

static __always_inline int tf_pid_allowed(const struct tf_config *cfg, __u32 tgid)
{
	if (!(cfg->flags & (TF_CFG_ALLOW_PIDS | TF_CFG_DENY_PIDS)))
		return 1;
	__u8 *bits = bpf_map_lookup_elem(&tf_pid_filter, &tgid);
	return tf_verdict(bits ? *bits : 0, cfg->flags & TF_CFG_ALLOW_PIDS);
}

static __always_inline int tf_cgroup_allowed(const struct tf_config *cfg, __u64 cgroup_id)
{
	if (!(cfg->flags & (TF_CFG_ALLOW_CGROUPS | TF_CFG_DENY_CGROUPS)))
		return 1;
	__u8 *bits = bpf_map_lookup_elem(&tf_cgroup_filter, &cgroup_id);
	return tf_verdict(bits ? *bits : 0, cfg->flags & TF_CFG_ALLOW_CGROUPS);
}

/* Ports match either end of the connection. */
static __always_inline int tf_ports_allowed(const struct tf_config *cfg, __u16 local_port, __u16 remote_port)
{
	if (!(cfg->flags & (TF_CFG_ALLOW_PORTS | TF_CFG_DENY_PORTS)))
		return 1;
	__u32 local = local_port, remote = remote_port;
	__u8 *local_bits = bpf_map_lookup_elem(&tf_port_filter, &local);
	__u8 *remote_bits = bpf_map_lookup_elem(&tf_port_filter, &remote);
	__u8 bits = (local_bits ? *local_bits : 0) | (remote_bits ? *remote_bits : 0);
	return tf_verdict(bits, cfg->flags & TF_CFG_ALLOW_PORTS);
}

#endif
