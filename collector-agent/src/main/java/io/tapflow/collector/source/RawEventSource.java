package io.tapflow.collector.source;

import java.io.IOException;
import java.time.Duration;

/**
  * A producer of raw events in the contract shape ({@code SocketDataEvent}, {@code TcpEvent}): the eBPF probes of
  * this host, or a pcap/pcapng file being replayed. Sources fill {@code agent_id} and {@code host} from the
  * {@link AgentIdentity} they were opened with and leave process enrichment (container id, {@code ProcessInfo}) to
  * the agent.
  */
public interface RawEventSource extends AutoCloseable {

    /** Returned by {@link #poll} when a finite source (a replayed file) has nothing more to deliver. */
    int END_OF_INPUT = -1;

    /**
      * Delivers the events available now to {@code sink}, waiting at most {@code timeout} for the first one.
      *
      * @return the number of events delivered (0 on timeout), or {@link #END_OF_INPUT}
      */
    int poll(RawEventSink sink, Duration timeout) throws IOException;

    /** Applies a new capture filter while running. Sources that cannot filter at the origin (replay) ignore it. */
    default void updateFilter(CaptureFilter filter) throws IOException {}

    /** Events lost before they reached this process (kernel ring buffer full, truncated capture records). */
    long sourceDrops();

    @Override
    void close() throws IOException;
}
