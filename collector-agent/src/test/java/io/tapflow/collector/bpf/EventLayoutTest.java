package io.tapflow.collector.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapflow.schema.CloseType;
import io.tapflow.schema.Direction;
import io.tapflow.schema.IpFamily;
import io.tapflow.schema.L4Protocol;
import io.tapflow.schema.Role;
import io.tapflow.schema.Syscall;
import io.tapflow.schema.TcpEventType;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EventLayoutTest {

    @Test
    void nativeLibraryExportsTheLayoutTheDecoderReads() {
        int[] exported = BpfNative.layout();

        EventLayout.verify(exported);
        assertThat(exported).hasSize(EventLayout.Field.values().length);
    }

    @Test
    void aDifferentOffsetIsRefusedWithTheFieldNamed() {
        int[] exported = BpfNative.layout();
        exported[EventLayout.Field.DATA_TCP_SEQ.ordinal()] += 4;

        assertThatThrownBy(() -> EventLayout.verify(exported))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("DATA_TCP_SEQ is 80 in the native library, 76 in the decoder");
    }

    @Test
    void aShorterExportIsRefused() {
        int[] exported = Arrays.copyOf(BpfNative.layout(), 10);

        assertThatThrownBy(() -> EventLayout.verify(exported)).hasMessageContaining("exports 10 values");
    }

    /** events.h carries Avro ordinals; a reordered .avsc would silently shift every value. */
    @Test
    void kernelEnumerationsAreTheAvroSymbolOrdinals() {
        assertThat(names(IpFamily.values())).containsExactly("UNKNOWN", "IPV4", "IPV6");
        assertThat(names(L4Protocol.values())).containsExactly("UNKNOWN", "TCP", "UDP");
        assertThat(names(Role.values())).containsExactly("UNKNOWN", "CLIENT", "SERVER");
        assertThat(names(Direction.values())).containsExactly("UNKNOWN", "INGRESS", "EGRESS");
        assertThat(names(Syscall.values())).startsWith(
                "UNKNOWN", "READ", "WRITE", "READV", "WRITEV", "RECVFROM", "SENDTO", "RECVMSG", "SENDMSG",
                "RECVMMSG", "SENDMMSG");
        assertThat(names(TcpEventType.values())).containsExactly(
                "UNKNOWN", "CONNECT_START", "CONNECT_ESTABLISHED", "CONNECT_FAILED", "ACCEPT", "CLOSE", "RETRANSMIT",
                "RTT_SAMPLE", "RESET_RECEIVED", "RESET_SENT");
        assertThat(names(CloseType.values())).startsWith("UNKNOWN", "NORMAL", "RESET", "CONNECT_FAILED");
    }

    private static String[] names(Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).toArray(String[]::new);
    }
}
