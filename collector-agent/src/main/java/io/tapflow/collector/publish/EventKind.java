package io.tapflow.collector.publish;

import io.tapflow.schema.topic.Topic;
import java.util.Locale;

/** The three raw record kinds the agent publishes, and their topics. */
public enum EventKind {
    SOCKET_DATA(Topic.RAW_SOCKET_DATA),
    TCP_EVENT(Topic.RAW_TCP_EVENTS),
    PROCESS_INFO(Topic.RAW_PROCESS);

    private final Topic topic;

    EventKind(Topic topic) {
        this.topic = topic;
    }

    public Topic topic() {
        return topic;
    }

    /** The label value in metrics, e.g. {@code socket_data}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
