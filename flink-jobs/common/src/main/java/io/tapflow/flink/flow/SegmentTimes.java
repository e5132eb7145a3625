package io.tapflow.flink.flow;

import io.tapflow.schema.Direction;
import io.tapflow.schema.SocketDataEvent;

/** When the bytes of a captured call moved, as opposed to when the call was entered. */
public final class SegmentTimes {

    private SegmentTimes() {
    }

    /**
     * When the process handed the bytes over (a write's entry) or got them (a read's exit). A read's entry is when
     * the process started waiting: a thread blocked in read() on a keep-alive connection enters long before the
     * next request arrives, and a client enters its read right after sending, before the server has answered.
     */
    public static long observedNs(SocketDataEvent e) {
        Long duration = e.getDurationNs();
        return e.getDirection() == Direction.INGRESS && duration != null && duration > 0
                ? e.getTimestampNs() + duration : e.getTimestampNs();
    }
}
