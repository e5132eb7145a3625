package io.tapflow.collector.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpTextTest {

    @ParameterizedTest
    @CsvSource({
        "::1, ::1",
        "::, ::",
        "2001:db8:0:0:0:0:2:1, 2001:db8::2:1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "fe80:0:0:0:0:0:0:0, fe80::",
        "2001:DB8:AAAA:0:0:0:0:0, 2001:db8:aaaa::",
        "::ffff:10.0.0.1, ::ffff:10.0.0.1",
    })
    void ipv6FollowsRfc5952(String input, String expected) throws Exception {
        byte[] bytes = new byte[16];
        byte[] parsed = InetAddress.getByName(input).getAddress();
        System.arraycopy(parsed, 0, bytes, 16 - parsed.length, parsed.length);
        if (parsed.length == 4) { // InetAddress turns ::ffff:a.b.c.d into IPv4
            bytes[10] = (byte) 0xff;
            bytes[11] = (byte) 0xff;
        }

        assertThat(IpText.ipv6(ByteBuffer.wrap(bytes), 0)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.1", "0.0.0.0", "255.255.255.255", "10.200.3.4"})
    void ipv4IsDottedQuad(String address) throws Exception {
        byte[] bytes = InetAddress.getByName(address).getAddress();

        assertThat(IpText.ipv4(ByteBuffer.wrap(bytes), 0)).isEqualTo(address);
    }
}
