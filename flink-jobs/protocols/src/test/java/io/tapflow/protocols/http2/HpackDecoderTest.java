package io.tapflow.protocols.http2;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** RFC 7541 Appendix C examples (spec test vectors), Huffman code checks, lost state and hostile input. */
class HpackDecoderTest {

    private static List<String> decode(HpackDecoder d, String hex, HpackDecoder.Result expected) {
        byte[] block = HexFormat.of().parseHex(hex);
        List<String> fields = new ArrayList<>();
        HpackDecoder.Result r = d.decode(block, 0, block.length, (n, v) -> fields.add(n + ": " + v));
        assertThat(r).isEqualTo(expected);
        return fields;
    }

    private static List<String> decode(HpackDecoder d, String hex) {
        return decode(d, hex, HpackDecoder.Result.DECODED);
    }

    @Test
    void c2_literalRepresentations() {
        HpackDecoder d = new HpackDecoder(4096);
        assertThat(decode(d, "400a637573746f6d2d6b65790d637573746f6d2d686561646572"))
                .containsExactly("custom-key: custom-header");
        assertThat(d.tableSize()).isEqualTo(55);
        d = new HpackDecoder(4096);
        assertThat(decode(d, "040c2f73616d706c652f70617468")).containsExactly(":path: /sample/path");
        assertThat(d.tableSize()).isZero();
        assertThat(decode(d, "100870617373776f726406736563726574")).containsExactly("password: secret");
        assertThat(d.tableSize()).isZero();
        assertThat(decode(d, "82")).containsExactly(":method: GET");
        assertThat(d.tableSize()).isZero();
    }

    @Test
    void c3_requestsWithoutHuffman() {
        HpackDecoder d = new HpackDecoder(4096);
        assertThat(decode(d, "828684410f7777772e6578616d706c652e636f6d"))
                .containsExactly(":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com");
        assertThat(d.tableSize()).isEqualTo(57);
        assertThat(decode(d, "828684be58086e6f2d6361636865"))
                .containsExactly(":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com",
                        "cache-control: no-cache");
        assertThat(d.tableSize()).isEqualTo(110);
        assertThat(decode(d, "828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565"))
                .containsExactly(":method: GET", ":scheme: https", ":path: /index.html",
                        ":authority: www.example.com", "custom-key: custom-value");
        assertThat(d.tableSize()).isEqualTo(164);
    }

    @Test
    void c4_requestsWithHuffman() {
        HpackDecoder d = new HpackDecoder(4096);
        assertThat(decode(d, "828684418cf1e3c2e5f23a6ba0ab90f4ff"))
                .containsExactly(":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com");
        assertThat(d.tableSize()).isEqualTo(57);
        assertThat(decode(d, "828684be5886a8eb10649cbf"))
                .containsExactly(":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com",
                        "cache-control: no-cache");
        assertThat(d.tableSize()).isEqualTo(110);
        assertThat(decode(d, "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf"))
                .containsExactly(":method: GET", ":scheme: https", ":path: /index.html",
                        ":authority: www.example.com", "custom-key: custom-value");
        assertThat(d.tableSize()).isEqualTo(164);
    }

    /** C.5 and C.6 run with a 256-octet table: the size update sets it, then entries are evicted. */
    @Test
    void c5_responsesWithoutHuffmanAndEviction() {
        HpackDecoder d = new HpackDecoder(4096);
        decode(d, "3fe101");
        assertThat(d.maxTableSize()).isEqualTo(256);
        assertThat(decode(d, "4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a32312"
                + "0474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d"))
                .containsExactly(":status: 302", "cache-control: private", "date: Mon, 21 Oct 2013 20:13:21 GMT",
                        "location: https://www.example.com");
        assertThat(d.tableSize()).isEqualTo(222);
        assertThat(decode(d, "4803333037c1c0bf"))
                .containsExactly(":status: 307", "cache-control: private", "date: Mon, 21 Oct 2013 20:13:21 GMT",
                        "location: https://www.example.com");
        assertThat(d.tableSize()).isEqualTo(222);
        assertThat(decode(d, "88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a697077"
                + "38666f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b"
                + "2076657273696f6e3d31"))
                .containsExactly(":status: 200", "cache-control: private", "date: Mon, 21 Oct 2013 20:13:22 GMT",
                        "location: https://www.example.com", "content-encoding: gzip",
                        "set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1");
        assertThat(d.tableSize()).isEqualTo(215);
    }

    @Test
    void c6_responsesWithHuffmanAndEviction() {
        HpackDecoder d = new HpackDecoder(4096);
        decode(d, "3fe101");
        assertThat(decode(d, "488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad1718"
                + "63c78f0b97c8e9ae82ae43d3"))
                .containsExactly(":status: 302", "cache-control: private", "date: Mon, 21 Oct 2013 20:13:21 GMT",
                        "location: https://www.example.com");
        assertThat(d.tableSize()).isEqualTo(222);
        assertThat(decode(d, "4883640effc1c0bf"))
                .containsExactly(":status: 307", "cache-control: private", "date: Mon, 21 Oct 2013 20:13:21 GMT",
                        "location: https://www.example.com");
        assertThat(d.tableSize()).isEqualTo(222);
        assertThat(decode(d, "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b3"
                + "35dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007"))
                .containsExactly(":status: 200", "cache-control: private", "date: Mon, 21 Oct 2013 20:13:22 GMT",
                        "location: https://www.example.com", "content-encoding: gzip",
                        "set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1");
        assertThat(d.tableSize()).isEqualTo(215);
    }

    @Test
    void huffmanCodesAreTheRfcCodes() {
        // spot checks against RFC 7541 Appendix B: the canonical construction must reproduce them
        assertThat(HuffmanDecoder.CODES[0]).isEqualTo(0x1ff8);
        assertThat(HuffmanDecoder.CODES['0']).isEqualTo(0x0);
        assertThat(HuffmanDecoder.CODES[' ']).isEqualTo(0x14);
        assertThat(HuffmanDecoder.CODES['a']).isEqualTo(0x3);
        assertThat(HuffmanDecoder.CODES[10]).isEqualTo(0x3ffffffc);
        assertThat(HuffmanDecoder.CODES[255]).isEqualTo(0x3ffffee);
        assertThat(HuffmanDecoder.CODES[256]).isEqualTo(0x3fffffff);
    }

    @Test
    void huffmanRejectsEosAndLongPadding() {
        byte[] out = new byte[16];
        // EOS (30 one-bits) inside the string
        assertThat(HuffmanDecoder.decode(new byte[] {-1, -1, -1, -1}, 0, 4, out)).isEqualTo(-1);
        // 'a' (00011) followed by 11 padding bits: more than 7 bits of padding
        assertThat(HuffmanDecoder.decode(new byte[] {0x1f, -1}, 0, 2, out)).isEqualTo(-1);
        // 'a' + 3 one-bits of padding
        assertThat(HuffmanDecoder.decode(new byte[] {0x1f}, 0, 1, out)).isEqualTo(1);
        assertThat(out[0]).isEqualTo((byte) 'a');
        // padding of zeros is not a prefix of EOS
        assertThat(HuffmanDecoder.decode(new byte[] {0x18}, 0, 1, out)).isEqualTo(-1);
    }

    @Test
    void lostStateDeliversOnlySelfContainedFieldsUntilTheTableIsEmptied() {
        HpackDecoder d = new HpackDecoder(4096);
        decode(d, "828684410f7777772e6578616d706c652e636f6d");
        d.invalidate();
        // C.3.2 references :authority in the dynamic table (be): that field is dropped
        assertThat(decode(d, "828684be58086e6f2d6361636865", HpackDecoder.Result.PARTIAL))
                .containsExactly(":method: GET", ":scheme: http", ":path: /", "cache-control: no-cache");
        // a size update to 0 empties the table: the state is known again
        assertThat(decode(d, "20828684410f7777772e6578616d706c652e636f6d"))
                .contains(":authority: www.example.com");
        assertThat(d.lost()).isFalse();
    }

    @Test
    void malformedBlocksAreReportedAndLoseTheState() {
        HpackDecoder d = new HpackDecoder(4096);
        decode(d, "be", HpackDecoder.Result.MALFORMED);
        assertThat(d.lost()).isTrue();
        d = new HpackDecoder(4096);
        decode(d, "400a6375", HpackDecoder.Result.MALFORMED);
        d = new HpackDecoder(4096);
        decode(d, "3fe1ffffffffff", HpackDecoder.Result.MALFORMED);
        d = new HpackDecoder(4096);
        // a size update after a field is not allowed (§4.2)
        decode(d, "8220", HpackDecoder.Result.MALFORMED);
        // a size update beyond the hard limit
        d = new HpackDecoder(4096);
        decode(d, "3fe1ff07", HpackDecoder.Result.MALFORMED);
    }

    @Test
    void randomBlocksNeverThrow() {
        Random random = new Random(7541);
        HpackDecoder d = new HpackDecoder(65536);
        for (int i = 0; i < 20_000; i++) {
            byte[] block = new byte[random.nextInt(64)];
            random.nextBytes(block);
            d.decode(block, 0, block.length, (n, v) -> { });
            if (random.nextInt(10) == 0) {
                d = new HpackDecoder(65536);
            }
        }
    }
}
