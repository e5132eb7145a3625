package io.tapflow.collector.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
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
}
