package io.tapflow.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PreflightTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "CapEff {0} -> exit {1}")
    @CsvSource({
            "000001ffffffffff, 0",  // root
            "000000c000000000, 0",  // CAP_BPF + CAP_PERFMON only
            "0000000000200000, 0",  // CAP_SYS_ADMIN only (kernels before 5.8)
            "0000004000000000, 3",  // CAP_PERFMON alone is not enough
            "0000000000000000, 3",  // unprivileged
    })
    void capabilities(String capEff, int expectedExit) throws IOException {
        Path status = dir.resolve("status");
        Files.writeString(status, "Name:\tjava\nCapInh:\t0000000000000000\nCapEff:\t" + capEff + "\n");
        var failure = new Preflight(status, dir, dir).privileges();
        assertThat(failure.map(Preflight.Failure::exitCode).orElse(0)).isEqualTo(expectedExit);
        failure.ifPresent(f -> assertThat(f.reason()).doesNotContain("\n").contains(capEff));
    }

    @Test
    void missingCapEffLineIsARefusal() throws IOException {
        Path status = dir.resolve("status");
        Files.writeString(status, "Name:\tjava\n");
        assertThat(new Preflight(status, dir, dir).privileges()).get()
                .extracting(Preflight.Failure::exitCode).isEqualTo(Preflight.EXIT_NOT_PRIVILEGED);
    }

    @Test
    void btfAndTracefsPresent() throws IOException {
        Path btf = Files.writeString(dir.resolve("vmlinux"), "btf");
        Path tracefs = Files.createDirectories(dir.resolve("tracing/events")).getParent();
        Preflight preflight = new Preflight(Path.of("/proc/self/status"), btf, tracefs);
        assertThat(preflight.btf()).isEmpty();
        assertThat(preflight.tracefs()).isEmpty(); // events/ exists: nothing to mount
        assertThat(new Preflight(Path.of("/proc/self/status"), dir.resolve("none"), tracefs).btf()).get()
                .extracting(Preflight.Failure::exitCode).isEqualTo(Preflight.EXIT_NO_BTF);
    }
}
