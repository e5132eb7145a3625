package io.tapflow.localstack.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared process machinery against plain shell processes (the server runners have their own ITCases). */
class ManagedProcessITCase {

    @TempDir
    Path tmp;

    @Test
    void failedStartReportsCommandLineAndLogTail() {
        Path sh = Binaries.locate("sh", "Debian package dash");
        assertThatThrownBy(() -> ManagedProcess.builder("failing")
                .command(sh, List.of("-c", "for i in $(seq 1 50); do echo line-$i; done; echo boom >&2; exit 3"))
                .logDir(tmp)
                .healthCheck(new HealthCheck() {
                    @Override
                    public boolean ready() {
                        return false;
                    }

                    @Override
                    public String describe() {
                        return "never";
                    }
                })
                .start())
                .isInstanceOf(ServerStartException.class)
                .hasMessageContaining("exited with code 3")
                .hasMessageContaining("-c for i in")
                .hasMessageContaining("line-50")
                .hasMessageContaining("boom")
                .hasMessageNotContaining("line-20\n");
    }

    @Test
    void timeoutStopsTheProcessTree() throws Exception {
        Path sh = Binaries.locate("sh", "Debian package dash");
        Path pidFile = tmp.resolve("child.pid");
        // the child ignores nothing; the parent waits on it: both must be gone afterwards
        assertThatThrownBy(() -> ManagedProcess.builder("sleeper")
                .command(sh, List.of("-c", "sleep 300 & echo $! > " + pidFile + "; wait"))
                .logDir(tmp)
                .healthCheck(new HealthCheck() {
                    @Override
                    public boolean ready() {
                        return false;
                    }

                    @Override
                    public String describe() {
                        return "never";
                    }
                })
                .startTimeout(Duration.ofSeconds(1))
                .stopTimeout(Duration.ofSeconds(5))
                .start())
                .isInstanceOf(ServerStartException.class)
                .hasMessageContaining("not ready within 1 s");
        long childPid = Long.parseLong(java.nio.file.Files.readString(pidFile).trim());
        assertThat(ProcessHandle.of(childPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void closeStopsAProcessThatIgnoresSigterm() {
        Path sh = Binaries.locate("sh", "Debian package dash");
        Path ready = tmp.resolve("ready");
        ManagedProcess p = ManagedProcess.builder("stubborn")
                .command(sh, List.of("-c", "trap '' TERM; touch " + ready + "; while true; do sleep 0.1; done"))
                .logDir(tmp)
                .healthCheck(new HealthCheck() {
                    @Override
                    public boolean ready() {
                        return java.nio.file.Files.exists(ready);
                    }

                    @Override
                    public String describe() {
                        return "file " + ready;
                    }
                })
                .stopTimeout(Duration.ofMillis(500))
                .start();
        assertThat(p.isAlive()).isTrue();
        p.close();
        assertThat(p.isAlive()).isFalse();
    }
}
