package io.tapflow.collector.pcap;

import io.tapflow.collector.source.AgentIdentity;
import io.tapflow.collector.source.CaptureFilter;
import io.tapflow.collector.source.RawEventSink;
import io.tapflow.collector.source.RawEventSource;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays a pcap/pcapng capture as the raw events the eBPF collector would have produced had both ends of every
 * connection been processes on this host: per TCP connection a CLIENT and a SERVER socket, each with its WRITE
 * (egress) and READ (ingress) events carrying the capture's bytes, tcp_seq = the TCP sequence number of the first
 * byte (what the kernel's write_seq/copied_seq hold), data_seq = the per-socket per-direction byte offset, and the
 * TcpEvents of the handshake, retransmissions and teardown; per UDP datagram a SENDTO and a RECVFROM event.
 * See {@link SocketIds} for the socket ids, {@link FlowTable} for roles, {@link TcpStream} for reassembly.
 *
 * <p>Of the capture filter, the replay applies ports (allow/deny), sampling and the payload size; pids and cgroups
 * do not exist in a capture. Not thread-safe: poll from one thread; {@link #counters()} may be read from any.
 */
public final class PcapReplaySource implements RawEventSource {

    private static final Logger LOG = LoggerFactory.getLogger(PcapReplaySource.class);

    /** Bound on work per poll, so a fast replay returns to the caller (flush, status, shutdown) regularly. */
    private static final int MAX_EVENTS_PER_POLL = 4096;
    private static final int MAX_RECORDS_PER_POLL = 8192;
    /** Between passes, so a looped capture's timestamps never overlap the previous pass. */
    private static final long LOOP_GAP_NS = 1_000_000L;

    private final Path file;
    private final ReplayOptions options;
    private final ReplayCounters counters = new ReplayCounters();
    private final ReplayEmitter emitter;
    private final PacketDecoder decoder;

    private CaptureFileReader reader;
    private FlowTable flows;
    private int loop;
    private CaptureRecord pending;
    private long firstCaptureNs = Long.MIN_VALUE;
    private long lastCaptureNs = Long.MIN_VALUE;
    private long paceStartNanos;
    /** Added to capture times when {@link ReplayOptions#shiftToNow()} is on. */
    private long shiftNs;
    private boolean ended;

    private PcapReplaySource(Path file, AgentIdentity identity, CaptureFilter filter, ReplayOptions options,
                             CaptureFileReader reader) {
        this.file = file;
        this.options = options;
        this.emitter = new ReplayEmitter(identity, options.comm(), options.names(), filter, counters);
        this.decoder = new PacketDecoder(counters);
        this.reader = reader;
        this.flows = new FlowTable(emitter, counters, options, 0);
    }

    /** Opens {@code file} (pcap or pcapng); fails fast when it is not a capture file. */
    public static PcapReplaySource open(Path file, AgentIdentity identity, CaptureFilter filter, ReplayOptions options)
            throws IOException {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(options, "options");
        return new PcapReplaySource(file, identity, filter, options, CaptureFileReader.open(file));
    }

    @Override
    public int poll(RawEventSink sink, Duration timeout) throws IOException {
        if (ended) {
            return END_OF_INPUT;
        }
        emitter.begin(sink);
        long deadline = System.nanoTime() + timeout.toNanos();
        int records = 0;
        while (emitter.delivered() < MAX_EVENTS_PER_POLL && records < MAX_RECORDS_PER_POLL) {
            if (pending == null) {
                pending = reader.next();
                if (pending == null) {
                    if (!nextPass()) {
                        ended = true;
                        LOG.info("replay of {} finished: {}", file, counters);
                        return emitter.delivered() > 0 ? emitter.delivered() : END_OF_INPUT;
                    }
                    continue;
                }
                counters.increment(ReplayCounter.PACKETS);
                if (firstCaptureNs == Long.MIN_VALUE) {
                    startClock(pending.timestampNs());
                }
                if (loop == 0) {
                    lastCaptureNs = Math.max(lastCaptureNs, pending.timestampNs());
                }
            }
            if (options.speed() > 0) {
                long wait = dueNanos(pending) - System.nanoTime();
                if (wait > 0) {
                    if (emitter.delivered() > 0) {
                        break;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    LockSupport.parkNanos(Math.min(wait, left));
                    continue;
                }
            }
            CaptureRecord record = pending;
            pending = null;
            records++;
            DecodedPacket packet = decoder.decode(record);
            if (packet != null) {
                flows.handle(packet);
            }
        }
        return emitter.delivered();
    }

    @Override
    public void updateFilter(CaptureFilter filter) {
        emitter.filter(Objects.requireNonNull(filter, "filter"));
    }

    /** Records the file ended inside (once per pass). */
    @Override
    public long sourceDrops() {
        return counters.get(ReplayCounter.TRUNCATED_RECORDS);
    }

    /** What the replay has counted so far. */
    public ReplayCounters counters() {
        return counters;
    }

    /** The pass being replayed, 0-based. */
    public int currentLoop() {
        return loop;
    }

    @Override
    public void close() throws IOException {
        if (reader != null) {
            reader.close();
            reader = null;
        }
    }

    /** Ends the pass; starts the next one if loops remain. */
    private boolean nextPass() throws IOException {
        flows.finishAll();
        counters.add(ReplayCounter.TRUNCATED_RECORDS, reader.truncatedRecords());
        reader.close();
        reader = null;
        if (loop + 1 >= options.loops()) {
            return false;
        }
        loop++;
        reader = CaptureFileReader.open(file);
        flows = new FlowTable(emitter, counters, options, loop);
        long span = lastCaptureNs == Long.MIN_VALUE ? 0 : lastCaptureNs - firstCaptureNs;
        emitter.timeOffsetNs(shiftNs + loop * (span + LOOP_GAP_NS));
        return true;
    }

    private void startClock(long firstNs) {
        firstCaptureNs = firstNs;
        paceStartNanos = System.nanoTime();
        if (options.shiftToNow()) {
            shiftNs = System.currentTimeMillis() * 1_000_000L - firstNs;
        }
        emitter.timeOffsetNs(shiftNs);
    }

    /** When (System.nanoTime) the record is due at the configured speed. */
    private long dueNanos(CaptureRecord record) {
        long sinceFirst = record.timestampNs() + emitter.timeOffsetNs() - shiftNs - firstCaptureNs;
        return paceStartNanos + (long) (Math.max(0, sinceFirst) / options.speed());
    }
}
