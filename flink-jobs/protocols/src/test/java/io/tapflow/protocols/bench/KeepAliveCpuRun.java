package io.tapflow.protocols.bench;

import io.tapflow.protocols.ConnectionDecoders;
import io.tapflow.protocols.DecodeError;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.MessageSink;
import io.tapflow.protocols.TraceContext;
import io.tapflow.protocols.testing.Capture.DirectedSegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One protocol's golden captures decoded through one long-lived pair of decoders (as {@link
 * ParserBenchmark#decodeKeepAlive}), timed by the CPU time of the calling thread rather than the wall clock: on a
 * shared machine the wall clock counts the time other processes held the core, CPU time does not.
 *
 * <p>A {@link Supplier} of JDK types only, so that {@link CpuBenchmark} can run this class as compiled against
 * another build of the parsers (loaded by its own class loader) and compare the two in one JVM.
 */
public final class KeepAliveCpuRun implements Supplier<long[]> {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final List<List<DirectedSegment>> connections;
    private final ConnectionDecoders decoders;
    private final long bytesPerPass;
    private final long roundCpuNs;
    private final Consumer sink;

    /**
     * @param protocol   as {@link ParserBenchmark#protocol}
     * @param readFields whether the sink calls every accessor a flow job reads (the decoded Strings are then
     *                   created, lazily or not); otherwise it only counts the messages, like JMH's Blackhole
     * @param roundCpuNs CPU time of one round
     */
    public KeepAliveCpuRun(String protocol, boolean readFields, long roundCpuNs) {
        this.connections = ParserBenchmark.connections(protocol);
        this.decoders = ParserBenchmark.parser(protocol).newConnection();
        this.bytesPerPass = ParserBenchmark.bytesPerOp(protocol);
        this.roundCpuNs = roundCpuNs;
        this.sink = new Consumer(readFields);
    }

    /** One round: whole passes over the captures until the round's CPU time is spent; {bytes, thread CPU ns}. */
    @Override
    public long[] get() {
        long start = THREADS.getCurrentThreadCpuTime();
        long bytes = 0;
        long elapsed;
        do {
            for (List<DirectedSegment> connection : connections) {
                for (DirectedSegment s : connection) {
                    decoders.of(s.direction()).feed(s.segment(), sink);
                }
            }
            bytes += bytesPerPass;
            elapsed = THREADS.getCurrentThreadCpuTime() - start;
        } while (elapsed < roundCpuNs);
        if (sink.messages == 0) {
            throw new IllegalStateException("no message decoded: the benchmark measures nothing");
        }
        return new long[] {bytes, elapsed, sink.checksum};
    }

    /** Counts messages and, when asked, reads what a flow job reads from each, into a checksum kept live. */
    private static final class Consumer implements MessageSink {
        private final boolean readFields;
        long messages;
        long checksum;

        Consumer(boolean readFields) {
            this.readFields = readFields;
        }

        @Override
        public void message(L7Message m) {
            messages++;
            checksum += m.length();
            if (readFields) {
                checksum += Objects.hashCode(m.version()) + Objects.hashCode(m.requestType())
                        + Objects.hashCode(m.requestDomain()) + Objects.hashCode(m.requestResource())
                        + Objects.hashCode(m.responseCode()) + Objects.hashCode(m.responseException())
                        + Objects.hashCode(m.xRequestId()) + m.responseStatus().ordinal();
                TraceContext t = m.traceContext();
                if (t != null) {
                    checksum += t.traceId().hashCode() + t.spanId().hashCode();
                }
                for (Map.Entry<String, String> e : m.attributes().entrySet()) {
                    checksum += e.getValue().hashCode();
                }
            }
        }

        @Override
        public void error(DecodeError error) {
            checksum++;
        }
    }
}
