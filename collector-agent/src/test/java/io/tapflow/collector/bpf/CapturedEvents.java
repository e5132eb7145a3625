package io.tapflow.collector.bpf;

import io.tapflow.collector.source.RawEventSink;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Everything a live {@link BpfEventSource} delivered to a test, polled until a condition holds. */
final class CapturedEvents implements RawEventSink {

    final List<SocketDataEvent> data = new ArrayList<>();
    final List<TcpEvent> tcp = new ArrayList<>();
    private final Predicate<SocketDataEvent> keepData;
    private final Predicate<TcpEvent> keepTcp;

    CapturedEvents() {
        this(event -> true, event -> true);
    }

    /** Keeps only matching events: a test capturing the whole host must not hoard everyone else's traffic. */
    CapturedEvents(Predicate<SocketDataEvent> keepData, Predicate<TcpEvent> keepTcp) {
        this.keepData = keepData;
        this.keepTcp = keepTcp;
    }

    @Override
    public void onSocketData(SocketDataEvent event) {
        if (keepData.test(event)) {
            data.add(event);
        }
    }

    @Override
    public void onTcpEvent(TcpEvent event) {
        if (keepTcp.test(event)) {
            tcp.add(event);
        }
    }

    /** Polls until {@code done} holds or {@code timeout} passes; returns whether it held. */
    boolean pollUntil(BpfEventSource source, Predicate<CapturedEvents> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                source.poll(this, Duration.ofMillis(50));
                if (done.test(this)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls for {@code duration} regardless (to show that something does NOT arrive). */
    void pollFor(BpfEventSource source, Duration duration) {
        pollUntil(source, events -> false, duration);
    }

    List<SocketDataEvent> data(Predicate<SocketDataEvent> filter) {
        return data.stream().filter(filter).toList();
    }

    List<TcpEvent> tcp(Predicate<TcpEvent> filter) {
        return tcp.stream().filter(filter).toList();
    }
}
