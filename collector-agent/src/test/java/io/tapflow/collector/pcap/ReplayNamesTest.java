package io.tapflow.collector.pcap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapflow.schema.L4Protocol;
import io.tapflow.schema.Role;
import org.junit.jupiter.api.Test;

class ReplayNamesTest {

    private static ReplaySocket server(int port) {
        return new ReplaySocket(1, Role.SERVER, false, L4Protocol.TCP, "127.0.0.1", port, "127.0.0.1", 50_000);
    }

    private static ReplaySocket client(int serverPort) {
        return new ReplaySocket(2, Role.CLIENT, false, L4Protocol.TCP, "127.0.0.1", 50_000, "127.0.0.1", serverPort);
    }

    @Test
    void bothEndsOfANamedPortAreNamedAndOtherPortsKeepTheDefault() {
        ReplayNames names = ReplayNames.parse("6379=redis-server/catalog, 8080=gateway");
        assertThat(names.comm(server(6379), "pcap")).isEqualTo("redis-server");
        assertThat(names.comm(client(6379), "pcap")).isEqualTo("catalog");
        assertThat(names.comm(server(8080), "pcap")).isEqualTo("gateway");
        assertThat(names.comm(client(8080), "pcap")).as("no client name given").isEqualTo("pcap");
        assertThat(names.comm(server(9999), "pcap")).isEqualTo("pcap");
        assertThat(names.comm(client(9999), "pcap")).isEqualTo("pcap");
    }

    @Test
    void aClientNamedDashIsNotReplayed() {
        ReplayNames names = ReplayNames.parse("8080=gateway/-");
        assertThat(names.comm(client(8080), "pcap")).isNull();
        assertThat(names.comm(server(8080), "pcap")).isEqualTo("gateway");
    }

    @Test
    void emptyIsNoneAndMalformedEntriesAreRejected() {
        assertThat(ReplayNames.parse("").comm(server(1), "pcap")).isEqualTo("pcap");
        assertThatThrownBy(() -> ReplayNames.parse("gateway")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReplayNames.parse("80=a-name-longer-than-15")).isInstanceOf(
                IllegalArgumentException.class);
        assertThatThrownBy(() -> ReplayNames.parse("x=gateway")).isInstanceOf(NumberFormatException.class);
    }
}
