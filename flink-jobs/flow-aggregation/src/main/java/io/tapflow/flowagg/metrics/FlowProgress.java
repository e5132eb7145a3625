package io.tapflow.flowagg.metrics;

/**
 * What {@link FlowDeltaFunction} remembers of one open flow: the cumulative counters of the last emission it
 * counted (the base of the next delta) and its idle timer. A Flink POJO.
 */
public final class FlowProgress {

    public int sequence;
    public long bytesClientToServer;
    public long bytesServerToClient;
    public long retransmits;
    public long resets;
    /** Last smoothed RTT seen, null before the first one. */
    public Long srttUs;
    public boolean connectLatencyCounted;
    public long idleTimerMs;

    public FlowProgress() {
    }
}
