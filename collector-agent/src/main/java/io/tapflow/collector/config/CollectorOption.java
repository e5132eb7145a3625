package io.tapflow.collector.config;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every setting of the collector: its name (the same in the config file and as {@code --name} on the command
 * line), default, and help text. {@link #reloadable()} ones (the capture filter) are re-read from the config file
 * while the agent runs.
 */
public enum CollectorOption {
    CONFIG("config", null, "FILE", "Properties file with any of these settings (key=value, # comments); command-line"
            + " flags override it."),
    SOURCE("source", "ebpf", "ebpf|replay", "Where events come from; --replay FILE implies replay."),
    REPLAY("replay", null, "FILE", "Replay a pcap/pcapng capture instead of capturing; exits at its end."),
    REPLAY_SPEED("replay-speed", "0", "X", "0 = as fast as possible, 1 = the capture's pace, N = N times faster."),
    REPLAY_LOOPS("replay-loops", "1", "N", "Replay the file N times (new socket ids and later times each pass)."),
    REPLAY_MAX_EVENT_BYTES("replay-max-event-bytes", "65536", "BYTES", "Most bytes one replayed call covers."),
    REPLAY_SHIFT_TO_NOW("replay-shift-to-now", "false", "true|false", "Shift capture times so the replay starts now."),
    REPLAY_COMM("replay-comm", "pcap", "NAME", "comm of replayed events."),
    REPLAY_NAMES("replay-names", "", "PORT=SERVER[/CLIENT],...", "comm of each end of replayed connections to PORT"
            + " (a capture has no processes); CLIENT '-' leaves that end out."),
    AGENT_ID("agent-id", null, "ID", "Agent id in every record (default: /etc/machine-id, else the host name)."),
    HOST("host", null, "NAME", "Host name in every record (default: this machine's)."),
    KAFKA_BOOTSTRAP("kafka-bootstrap", "localhost:9092", "HOST:PORT,...", "Kafka bootstrap servers."),
    SCHEMA_REGISTRY_URL("schema-registry-url", "http://localhost:8081", "URL", "Schema registry (Confluent API)."),
    QUEUE_CAPACITY("queue-capacity", "16384", "N", "Most events between the polling thread and the publisher."),
    QUEUE_BYTES("queue-bytes", "33554432", "BYTES", "Most bytes between the polling thread and the publisher."),
    KAFKA_BUFFER_BYTES("kafka-buffer-bytes", "33554432", "BYTES", "Producer buffer.memory: kept while Kafka is away."),
    KAFKA_MAX_BLOCK_MS("kafka-max-block-ms", "50", "MS", "Producer max.block.ms: wait for buffer space, then drop."),
    KAFKA_DELIVERY_TIMEOUT_MS("kafka-delivery-timeout-ms", "30000", "MS", "Producer delivery.timeout.ms."),
    KAFKA_OUTAGE_AFTER_MS("kafka-outage-after-ms", "5000", "MS", "No acknowledgement this long = Kafka is down."),
    METRICS_PORT("metrics-port", "9464", "PORT", "Prometheus /metrics port (0 = any free port, -1 = off)."),
    METRICS_BIND("metrics-bind", "0.0.0.0", "ADDRESS", "Address the /metrics server listens on."),
    STATUS_INTERVAL_S("status-interval-s", "10", "SECONDS", "Status line every N seconds (0 = never)."),
    SHUTDOWN_TIMEOUT_S("shutdown-timeout-s", "10", "SECONDS", "Flush deadline on exit (SIGTERM, Ctrl-C, end of replay)."),
    CONFIG_POLL_MS("config-poll-ms", "2000", "MS", "How often the config file is checked for filter changes."),
    PAYLOAD_BYTES("payload-bytes", "1024", "BYTES", "Payload bytes captured per call (0..4096). Reloadable.", true),
    ALLOW_PORTS("allow-ports", "", "P,P,...", "Capture only these ports (either end; empty = all). Reloadable.", true),
    DENY_PORTS("deny-ports", "", "P,P,...", "Never capture these ports. Reloadable.", true),
    ALLOW_PIDS("allow-pids", "", "PID,...", "Capture only these processes (empty = all). Reloadable.", true),
    DENY_PIDS("deny-pids", "", "PID,...", "Never capture these processes. Reloadable.", true),
    ALLOW_CGROUPS("allow-cgroups", "", "ID,...", "Capture only these cgroup v2 ids (empty = all). Reloadable.", true),
    DENY_CGROUPS("deny-cgroups", "", "ID,...", "Never capture these cgroup ids. Reloadable.", true),
    SAMPLE_ONE_IN("sample-one-in", "1", "N", "Capture one socket in N. Reloadable.", true),
    ENRICH("enrich", "true", "true|false", "Enrich from /proc: container id, ProcessInfo records."),
    PROC_ROOT("proc-root", "/proc", "DIR", "Where /proc is (a container may mount the host's elsewhere)."),
    BTF_PATH("btf-path", "/sys/kernel/btf/vmlinux", "FILE", "Kernel BTF the eBPF probes need (preflight)."),
    TRACEFS_PATH("tracefs-path", "/sys/kernel/tracing", "DIR", "tracefs; mounted there if absent (preflight)."),
    PREFLIGHT_STATUS_FILE("preflight-status-file", "/proc/self/status", "FILE",
            "Where preflight reads CapEff (for tests).");

    private final String key;
    private final String defaultValue;
    private final String valueHint;
    private final String help;
    private final boolean reloadable;

    CollectorOption(String key, String defaultValue, String valueHint, String help) {
        this(key, defaultValue, valueHint, help, false);
    }

    CollectorOption(String key, String defaultValue, String valueHint, String help, boolean reloadable) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.valueHint = valueHint;
        this.help = help;
        this.reloadable = reloadable;
    }

    public String key() {
        return key;
    }

    /** Null when the option has no default (it is optional or derived). */
    public String defaultValue() {
        return defaultValue;
    }

    public String valueHint() {
        return valueHint;
    }

    public String help() {
        return help;
    }

    public boolean reloadable() {
        return reloadable;
    }

    public static Optional<CollectorOption> byKey(String key) {
        return Arrays.stream(values()).filter(o -> o.key.equals(key)).findFirst();
    }
}
