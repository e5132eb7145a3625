package io.tapflow.collector.source;

import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecordBase;

/**
  * Where a {@link RawEventSource} delivers events. Called on the polling thread only; implementations must not
  * block for long (the eBPF ring buffer fills while they do).
  */
public interface RawEventSink {

    void onSocketData(SocketDataEvent event);

    void onTcpEvent(TcpEvent event);

    /** A sink that hands both kinds of event to {@code each}, in delivery order (e.g. {@code list::add}). */
    static RawEventSink of(Consumer<? super SpecificRecordBase> each) {
        return new RawEventSink() {
            @Override
            public void onSocketData(SocketDataEvent event) {
                each.accept(event);
            }

            @Override
            public void onTcpEvent(TcpEvent event) {
                each.accept(event);
            }
        };
    }
}
