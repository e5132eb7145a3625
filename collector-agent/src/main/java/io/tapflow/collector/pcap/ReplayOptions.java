package io.tapflow.collector.pcap;

/**
 * How a capture is replayed.
 *
 * @param speed 0 = as fast as possible; 1 = real time (the capture's own pacing); N = N times faster
 * @param loops passes over the file (>= 1); each pass gets distinct socket ids and timestamps shifted past the
 *     previous pass, so a small capture can drive a load test
 * @param maxEventBytes most bytes one SocketDataEvent covers: consecutive in-order segments of one direction are
 *     coalesced into one event (like one large read/write) until the direction changes or this is reached
 * @param reorderBytes most bytes of out-of-order segments held per connection direction while waiting for a missing
 *     one; past it the hole is declared a gap (counted) and delivery moves on
 * @param maxFlows TCP connections plus UDP flows tracked at once; the least recently active is flushed and dropped
 *     beyond it
 * @param comm the comm of every replayed event (there is no process)
 * @param shiftToNow whether timestamps are shifted so the first packet is "now" (live-looking event times for jobs
 *     with watermarks) instead of keeping the capture's own times
 * @param names the comm of each end of connections to named ports (overrides {@code comm} there), or an end left out
 */
public record ReplayOptions(double speed, int loops, int maxEventBytes, int reorderBytes, int maxFlows, String comm,
                            boolean shiftToNow, ReplayNames names) {

    public static final int DEFAULT_MAX_EVENT_BYTES = 64 * 1024;
    public static final int DEFAULT_REORDER_BYTES = 1024 * 1024;
    public static final int DEFAULT_MAX_FLOWS = 65_536;
    public static final String DEFAULT_COMM = "pcap";

    public ReplayOptions {
        if (!(speed >= 0) || Double.isInfinite(speed)) {
            throw new IllegalArgumentException("replay speed must be 0 (as fast as possible) or > 0, was " + speed);
        }
        if (loops < 1) {
            throw new IllegalArgumentException("replay loops must be >= 1, was " + loops);
        }
        if (maxEventBytes < 1) {
            throw new IllegalArgumentException("max event bytes must be >= 1, was " + maxEventBytes);
        }
        if (reorderBytes < 0) {
            throw new IllegalArgumentException("reorder bytes must be >= 0, was " + reorderBytes);
        }
        if (maxFlows < 1) {
            throw new IllegalArgumentException("max flows must be >= 1, was " + maxFlows);
        }
        if (comm == null || comm.isEmpty() || comm.length() > 15) {
            throw new IllegalArgumentException("comm must be 1..15 characters (a kernel task name), was '" + comm + "'");
        }
        if (names == null) {
            throw new IllegalArgumentException("names must not be null (ReplayNames.none())");
        }
    }

    /** As fast as possible, one pass, 64 KiB events, the capture's own timestamps. */
    public static ReplayOptions defaults() {
        return new ReplayOptions(0, 1, DEFAULT_MAX_EVENT_BYTES, DEFAULT_REORDER_BYTES, DEFAULT_MAX_FLOWS,
                DEFAULT_COMM, false, ReplayNames.none());
    }

    public ReplayOptions withSpeed(double value) {
        return new ReplayOptions(value, loops, maxEventBytes, reorderBytes, maxFlows, comm, shiftToNow, names);
    }

    public ReplayOptions withLoops(int value) {
        return new ReplayOptions(speed, value, maxEventBytes, reorderBytes, maxFlows, comm, shiftToNow, names);
    }

    public ReplayOptions withMaxEventBytes(int value) {
        return new ReplayOptions(speed, loops, value, reorderBytes, maxFlows, comm, shiftToNow, names);
    }

    public ReplayOptions withReorderBytes(int value) {
        return new ReplayOptions(speed, loops, maxEventBytes, value, maxFlows, comm, shiftToNow, names);
    }

    public ReplayOptions withMaxFlows(int value) {
        return new ReplayOptions(speed, loops, maxEventBytes, reorderBytes, value, comm, shiftToNow, names);
    }

    public ReplayOptions withComm(String value) {
        return new ReplayOptions(speed, loops, maxEventBytes, reorderBytes, maxFlows, value, shiftToNow, names);
    }

    public ReplayOptions withNames(ReplayNames value) {
        return new ReplayOptions(speed, loops, maxEventBytes, reorderBytes, maxFlows, comm, shiftToNow, value);
    }

    public ReplayOptions withShiftToNow(boolean value) {
        return new ReplayOptions(speed, loops, maxEventBytes, reorderBytes, maxFlows, comm, value, names);
    }
}
