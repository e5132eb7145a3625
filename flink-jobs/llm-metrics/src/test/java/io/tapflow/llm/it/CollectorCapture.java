package io.tapflow.llm.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.collector.bpf.BpfEventSource;
import io.tapflow.collector.bpf.BpfSettings;
import io.tapflow.collector.source.AgentIdentity;
import io.tapflow.collector.source.CaptureFilter;
import io.tapflow.collector.source.RawEventSink;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * The real eBPF collector capturing one {@link ScriptedServer} (its port, its pid only), drained by the test's
 * thread while client processes run: the raw events the collector would have published, in time order.
 */
final class CollectorCapture implements AutoCloseable {

    private static final Duration CLIENT_LIMIT = Duration.ofSeconds(60);

    private final BpfEventSource source;
    private final List<SpecificRecordBase> events = new ArrayList<>();
    private final RawEventSink sink = RawEventSink.of(events::add);

    private CollectorCapture(BpfEventSource source) {
        this.source = source;
    }

    static CollectorCapture of(ScriptedServer server, String agent) throws IOException {
        CaptureFilter onlyServer = new CaptureFilter(Set.of(server.port()), Set.of(), Set.of((int) server.pid()),
                Set.of(), Set.of(), Set.of(), CaptureFilter.MAX_PAYLOAD_BYTES, 1);
        return new CollectorCapture(BpfEventSource.open(new AgentIdentity(agent, agent), onlyServer,
                BpfSettings.defaults().withPollTimeout(Duration.ofMillis(20))));
    }

    /** Runs a client process to its end while draining the collector; checks its exit status. */
    void run(List<String> command, int expectedExit) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        long deadline = System.nanoTime() + CLIENT_LIMIT.toNanos();
        while (p.isAlive()) {
            source.poll(sink, Duration.ofMillis(20));
            assertThat(System.nanoTime()).as("client %s still running after %s", command, CLIENT_LIMIT)
                    .isLessThan(deadline);
        }
        checkExit(p, command, expectedExit);
    }

    /**
     * Starts the commands one {@code interval} apart (from one start instant, so a slow start does not delay the
     * ones after it), drains the collector until all have ended and checks that each exited with 0.
     */
    void runStaggered(List<List<String>> commands, Duration interval) throws Exception {
        List<Process> started = new ArrayList<>();
        long t0 = System.nanoTime();
        long deadline = t0 + CLIENT_LIMIT.toNanos();
        while (started.size() < commands.size() || started.stream().anyMatch(Process::isAlive)) {
            if (started.size() < commands.size() && System.nanoTime() >= t0 + started.size() * interval.toNanos()) {
                started.add(new ProcessBuilder(commands.get(started.size())).redirectErrorStream(true).start());
                continue;
            }
            source.poll(sink, Duration.ofMillis(started.size() < commands.size() ? 1 : 20));
            assertThat(System.nanoTime()).as("clients still running after %s", CLIENT_LIMIT).isLessThan(deadline);
        }
        for (int i = 0; i < started.size(); i++) {
            checkExit(started.get(i), commands.get(i), 0);
        }
    }

    /** Drains the collector for {@code d}: events of the last calls still in the ring buffer. */
    void pollFor(Duration d) throws IOException {
        long until = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < until) {
            source.poll(sink, Duration.ofMillis(20));
        }
    }

    /** Everything captured so far, ordered by timestamp (as the raw topics' consumers expect them per socket). */
    List<SpecificRecordBase> events() {
        List<SpecificRecordBase> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparingLong(CollectorCapture::timestampNs));
        return sorted;
    }

    @Override
    public void close() {
        source.close();
    }

    private static void checkExit(Process p, List<String> command, int expected) throws IOException {
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("exit status of %s; output: %s", command, output).isEqualTo(expected);
    }

    private static long timestampNs(SpecificRecordBase e) {
        return e instanceof SocketDataEvent d ? d.getTimestampNs() : ((TcpEvent) e).getTimestampNs();
    }
}
