package io.tapflow.collector.source;

import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;

/**
  * Where a {@link RawEventSource} delivers events. Called on the polling thread only; implementations must not
  * block for long (the eBPF ring buffer fills while they do).
  */
public interface RawEventSink {

    void onSocketData(SocketDataEvent event);

    void onTcpEvent(TcpEvent event);
}
