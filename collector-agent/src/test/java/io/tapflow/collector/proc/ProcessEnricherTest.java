package io.tapflow.collector.proc;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.schema.ProcessInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Enrichment against this machine's real /proc, with a real child process that starts and exits. */
class ProcessEnricherTest {

    private Process child;
    private long startedAtNs;

    @BeforeEach
    void startChild() throws IOException {
        startedAtNs = System.currentTimeMillis() * 1_000_000L;
        child = new ProcessBuilder("sleep", "30").start();
    }

    @AfterEach
    void stopChild() {
        child.destroyForcibly();
    }

    @Test
    void readsTheProcessFromProc() throws IOException {
        ProcReader reader = new ProcReader(Path.of("/proc"));
        ProcessInfo info = reader.read((int) child.pid(), "agent", "host");
        assertThat(info).isNotNull();
        assertThat(info.getComm()).isEqualTo("sleep");
        assertThat(info.getCmdline()).isEqualTo("sleep 30");
        assertThat(info.getExe()).endsWith("/sleep");
        assertThat(info.getPpid()).isEqualTo((int) ProcessHandle.current().pid());
        // boot time has 1 s precision, start ticks 10 ms
        assertThat(info.getStartTimeNs()).isBetween(startedAtNs - 2_000_000_000L, startedAtNs + 2_000_000_000L);
        assertThat(info.getCgroupPath()).startsWith("/");
        assertThat(info.getExited()).isFalse();
        assertThat(info.getAgentId()).isEqualTo("agent");
    }

    @Test
    void announcesAProcessOnceAndItsExitWhenGone() throws Exception {
        ProcessEnricher enricher = new ProcessEnricher(new ProcReader(Path.of("/proc")), "agent", "host", 100, 0);
        List<ProcessInfo> emitted = new ArrayList<>();
        int pid = (int) child.pid();
        enricher.containerId(pid, emitted::add);
        enricher.containerId(pid, emitted::add);
        enricher.containerId(0, emitted::add);
        assertThat(emitted).hasSize(1);
        assertThat(emitted.get(0).getPid()).isEqualTo(pid);

        enricher.sweep(emitted::add);
        assertThat(emitted).hasSize(1); // still running

        child.destroy();
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        enricher.sweep(emitted::add);
        assertThat(emitted).hasSize(2);
        ProcessInfo last = emitted.get(1);
        assertThat(last.getExited()).isTrue();
        assertThat(last.getStartTimeNs()).isEqualTo(emitted.get(0).getStartTimeNs());
        assertThat(enricher.size()).isZero();
    }

    @Test
    void theCacheIsBounded() throws IOException {
        ProcessEnricher enricher = new ProcessEnricher(new ProcReader(Path.of("/proc")), "agent", "host", 1,
                TimeUnit.SECONDS.toNanos(10));
        List<ProcessInfo> emitted = new ArrayList<>();
        enricher.containerId((int) child.pid(), emitted::add);
        enricher.containerId((int) ProcessHandle.current().pid(), emitted::add);
        assertThat(enricher.size()).isEqualTo(1);
        assertThat(emitted).hasSize(2);
    }

    @Test
    void statLineWithSpacesAndParenthesesInComm() {
        ProcReader.Stat stat = ProcReader.parseStat(
                "4242 (my (odd) name) S 17 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 889628 0 0");
        assertThat(stat.ppid()).isEqualTo(17);
        assertThat(stat.startTicks()).isEqualTo(889628);
    }
}
