package io.tapflow.collector.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressTextTest {

    /** RFC 5952 section 4 cases. */
    @ParameterizedTest
    @CsvSource({
            "127.0.0.1, 127.0.0.1",
            "0:0:0:0:0:0:0:1, ::1",
            "0:0:0:0:0:0:0:0, ::",
            "2001:db8:0:0:0:0:2:1, 2001:db8::2:1",
            "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
            "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
            "fe80:0:0:0:a:b:c:d, fe80::a:b:c:d",
            "2001:DB8:0:0:0:0:0:0, 2001:db8::",
    })
    void formatsLikeRfc5952(String input, String expected) throws UnknownHostException {
        assertThat(AddressText.format(InetAddress.getByName(input).getAddress())).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"10.1.2.3, ::ffff:10.1.2.3"})
    void ipv4MappedKeepsTheDottedQuad(String ipv4, String expected) throws UnknownHostException {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        System.arraycopy(InetAddress.getByName(ipv4).getAddress(), 0, mapped, 12, 4);
        assertThat(AddressText.format(mapped)).isEqualTo(expected);
    }

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
    void ipv6FromABufferFollowsRfc5952(String input, String expected) throws Exception {
        byte[] bytes = new byte[16];
        byte[] parsed = InetAddress.getByName(input).getAddress();
        System.arraycopy(parsed, 0, bytes, 16 - parsed.length, parsed.length);
        if (parsed.length == 4) { // InetAddress turns ::ffff:a.b.c.d into IPv4
            bytes[10] = (byte) 0xff;
            bytes[11] = (byte) 0xff;
        }

        assertThat(AddressText.format(ByteBuffer.wrap(bytes), 0, 16)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.1", "0.0.0.0", "255.255.255.255", "10.200.3.4"})
    void ipv4FromABufferIsDottedQuad(String address) throws Exception {
        byte[] bytes = InetAddress.getByName(address).getAddress();

        assertThat(AddressText.format(ByteBuffer.wrap(bytes), 0, 4)).isEqualTo(address);
    }
}
