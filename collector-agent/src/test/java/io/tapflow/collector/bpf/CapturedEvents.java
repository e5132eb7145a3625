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

    @Override
    public void onSocketData(SocketDataEvent event) {
        data.add(event);
    }

    @Override
    public void onTcpEvent(TcpEvent event) {
        tcp.add(event);
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
