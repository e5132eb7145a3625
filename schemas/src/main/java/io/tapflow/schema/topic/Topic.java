package io.tapflow.schema.topic;

import io.tapflow.schema.DeadLetter;
import io.tapflow.schema.FlowLog;
import io.tapflow.schema.LlmRequest;
import io.tapflow.schema.LlmUsage;
import io.tapflow.schema.ProcessInfo;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import io.tapflow.schema.Trace;
import org.apache.avro.specific.SpecificRecord;

/**
 * The Kafka topics tapflow reads and writes (DESIGN §4): name, value record, what the key is and whether the topic
 * is compacted. Other teams consume these; names are part of the contract and never change.
 */
public enum Topic {
    RAW_SOCKET_DATA("tapflow.raw.socket-data", SocketDataEvent.class, "socket_id, 8-byte big-endian long", false),
    RAW_TCP_EVENTS("tapflow.raw.tcp-events", TcpEvent.class, "socket_id, 8-byte big-endian long", false),
    RAW_PROCESS("tapflow.raw.process", ProcessInfo.class, "\"<agent_id>/<pid>/<start_time_ns>\" UTF-8 string", true),
    L7_REQUEST_LOG("tapflow.l7.request-log", RequestLog.class, "flow_id UTF-8 string", false),
    L4_FLOW_LOG("tapflow.l4.flow-log", FlowLog.class, "flow_id UTF-8 string", false),
    TRACES("tapflow.traces", Trace.class, "trace_id UTF-8 string", false),
    LLM_REQUESTS("tapflow.llm.requests", LlmRequest.class, "request_id UTF-8 string", false),
    LLM_USAGE("tapflow.llm.usage", LlmUsage.class, "usage_id UTF-8 string (tenant + model + hour)", false),
    DEAD_LETTERS("tapflow.dead-letters", DeadLetter.class, "source topic UTF-8 string", false);

    private final String topicName;
    private final Class<? extends SpecificRecord> valueType;
    private final String key;
    private final boolean compacted;

    Topic(String topicName, Class<? extends SpecificRecord> valueType, String key, boolean compacted) {
        this.topicName = topicName;
        this.valueType = valueType;
        this.key = key;
        this.compacted = compacted;
    }

    /** The Kafka topic name. */
    public String topicName() {
        return topicName;
    }

    /** The Avro record every value of this topic is. */
    public Class<? extends SpecificRecord> valueType() {
        return valueType;
    }

    /** What the record key holds, as documented for consumers. */
    public String keyDescription() {
        return key;
    }

    /** Whether the topic is log-compacted (latest value per key kept). */
    public boolean compacted() {
        return compacted;
    }

    /** The Schema Registry subject of this topic's values ({@code <topic>-value}). */
    public String valueSubject() {
        return topicName + "-value";
    }
}
