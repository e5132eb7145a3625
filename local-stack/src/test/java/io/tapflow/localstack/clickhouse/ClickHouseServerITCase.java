package io.tapflow.localstack.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.query.QueryResponse;
import io.tapflow.localstack.process.FreePorts;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClickHouseServerITCase {

    @TempDir
    Path tmp;

    @Test
    void startsAnswersAndStopsCleanly() throws Exception {
        ClickHouseServer server = ClickHouseServer.start();
        Path dir = server.directory();
        ProcessHandle handle = ProcessHandle.of(server.pid()).orElseThrow();
        int http = server.httpPort();
        int tcp = server.tcpPort();
        try {
            assertThat(server.query("SELECT 1 + 1 FORMAT TabSeparated")).isEqualTo("2\n");
            assertThat(server.query("SELECT version() FORMAT TabSeparated")).matches("\\d+\\.\\d+.*\\n");
            // it listens on loopback only and keeps everything below its directory
            assertThat(server.query("SELECT value FROM system.settings WHERE name = 'max_memory_usage' "
                    + "FORMAT TabSeparated")).isEqualTo("4000000000\n");
            assertThat(dir.resolve("data/metadata")).isDirectory();
            assertThat(dir.resolve("log/clickhouse-server.log")).isRegularFile();
            assertThatThrownBy(() -> server.query("SELECT no_such_column FORMAT TabSeparated"))
                    .hasMessageContaining("no_such_column")
                    .hasMessageContaining("HTTP");

            try (Client client = server.newClient("default")) {
                assertThat(client.ping()).isTrue();
                client.execute("CREATE TABLE default.t (id UInt32, name String) ENGINE = MergeTree ORDER BY id")
                        .get(30, TimeUnit.SECONDS).close();
                client.insert("t", new ByteArrayInputStream("{\"id\":7,\"name\":\"seven\"}\n"
                                .getBytes(StandardCharsets.UTF_8)),
                        com.clickhouse.data.ClickHouseFormat.JSONEachRow).get(30, TimeUnit.SECONDS).close();
                try (QueryResponse r = client.query("SELECT id, name FROM t FORMAT TabSeparated")
                        .get(30, TimeUnit.SECONDS)) {
                    assertThat(new String(r.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                            .isEqualTo("7\tseven\n");
                }
            }
        } finally {
            server.close();
        }
        assertThat(handle.isAlive()).isFalse();
        assertThat(FreePorts.isFree(http)).isTrue();
        assertThat(FreePorts.isFree(tcp)).isTrue();
        assertThat(Files.exists(dir)).as("temporary directory deleted").isFalse();
    }

    @Test
    void restartOnTheSameDataDirKeepsRows() {
        Path data = tmp.resolve("ch");
        try (ClickHouseServer first = ClickHouseServer.start(data)) {
            first.query("CREATE DATABASE IF NOT EXISTS keep");
            first.query("CREATE TABLE keep.t (id UInt32, s String) ENGINE = MergeTree ORDER BY id");
            first.query("INSERT INTO keep.t VALUES (1, 'a'), (2, 'b')");
        }
        assertThat(data.resolve("data")).isDirectory();
        try (ClickHouseServer second = ClickHouseServer.start(data)) {
            assertThat(second.query("SELECT id, s FROM keep.t ORDER BY id FORMAT TabSeparated"))
                    .isEqualTo("1\ta\n2\tb\n");
        }
        assertThat(data.resolve("data")).as("kept data dir survives close").isDirectory();
    }

    @Test
    void sharedIsOneServerPerJvm() {
        ClickHouseServer a = ClickHouseServer.shared();
        assertThat(ClickHouseServer.shared()).isSameAs(a);
        assertThat(a.query("SELECT 'ok' FORMAT TabSeparated")).isEqualTo("ok\n");
    }
}
