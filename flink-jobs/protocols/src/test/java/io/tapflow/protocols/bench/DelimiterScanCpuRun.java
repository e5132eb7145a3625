package io.tapflow.protocols.bench;

import io.tapflow.protocols.http1.HeadDelimiters;
import io.tapflow.protocols.testing.Capture.DirectedSegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The floor under {@link KeepAliveCpuRun} on this machine: the same captured bytes, searched 8 bytes per step for
 * every {@code '\n'} and {@code ':'} (the delimiters an HTTP/1 head parser must find, with the head parser's own
 * word-at-a-time primitives) and nothing else: no message, no header lookup, no buffering. A parser that reads
 * every byte of the heads cannot run faster than this (one that skips bodies by their length can beat it by the
 * bodies' share of the bytes); its figure over this one says how much the parsing itself costs, apart from how
 * fast the machine is. Same contract as {@link KeepAliveCpuRun#get}: {bytes, thread CPU ns, checksum}.
 */
final class DelimiterScanCpuRun implements Supplier<long[]> {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final List<byte[]> segments = new ArrayList<>();
    private final long bytesPerPass;
    private final long roundCpuNs;

    DelimiterScanCpuRun(String protocol, long roundCpuNs) {
        long bytes = 0;
        for (List<DirectedSegment> connection : ParserBenchmark.connections(protocol)) {
            for (DirectedSegment s : connection) {
                byte[] b = new byte[s.segment().length()];
                System.arraycopy(s.segment().bytes(), s.segment().offset(), b, 0, b.length);
                segments.add(b);
                bytes += b.length;
            }
        }
        this.bytesPerPass = bytes;
        this.roundCpuNs = roundCpuNs;
    }

    @Override
    public long[] get() {
        long start = THREADS.getCurrentThreadCpuTime();
        long bytes = 0;
        long found = 0;
        long elapsed;
        do {
            for (byte[] b : segments) {
                found += delimiters(b);
            }
            bytes += bytesPerPass;
            elapsed = THREADS.getCurrentThreadCpuTime() - start;
        } while (elapsed < roundCpuNs);
        return new long[] {bytes, elapsed, found};
    }

    /** How many {@code '\n'} and {@code ':'} bytes {@code b} holds ({@link HeadDelimiters#count}). */
    static int delimiters(byte[] b) {
        return HeadDelimiters.count(b);
    }
}
