package io.tapflow.localstack.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BinariesTest {

    @Test
    void missingBinaryNamesTheSetupStep() {
        assertThatThrownBy(() -> Binaries.locate("tapflow-no-such-server-xyz", "Debian package tapflow-nothing"))
                .isInstanceOf(MissingBinaryException.class)
                .hasMessageStartingWith("tapflow-no-such-server-xyz not found; run ./tapflow setup "
                        + "(installs Debian package tapflow-nothing)");
    }

    @Test
    void missingAbsolutePathNamesTheSetupStep() {
        assertThatThrownBy(() -> Binaries.locate("/nonexistent/dir/clickhouse-server", "Debian package x"))
                .isInstanceOf(MissingBinaryException.class)
                .hasMessageContaining("run ./tapflow setup");
    }

    @Test
    void findsABinaryOnPath() {
        assertThat(Binaries.locate("sh", "Debian package dash")).isExecutable();
    }

    @Test
    void freePortsAreDistinctAndFree() {
        int[] ports = FreePorts.find(3);
        assertThat(ports).doesNotHaveDuplicates();
        for (int p : ports) {
            assertThat(FreePorts.isFree(p)).as("port %d", p).isTrue();
        }
    }
}
