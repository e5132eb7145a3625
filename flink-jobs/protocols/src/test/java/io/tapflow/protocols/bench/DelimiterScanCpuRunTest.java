package io.tapflow.protocols.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DelimiterScanCpuRunTest {

    private static int byByte(byte[] b) {
        int n = 0;
        for (byte x : b) {
            n += x == '\n' || x == ':' ? 1 : 0;
        }
        return n;
    }

    @Test
    void countsEveryLineEndAndColonOfAHead() {
        byte[] head = "GET /a HTTP/1.1\r\nHost: x:80\r\nAccept: */*\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(DelimiterScanCpuRun.delimiters(head)).isEqualTo(7);
    }

    @Test
    void agreesWithAByteLoopOnEveryLengthAndOnBytesNextToTheDelimiters() {
        SplittableRandom random = new SplittableRandom(7);
        // 0x09/0x0B (next to '\n'), 0x39/0x3B (next to ':'), 0x00/0x01/0x80/0xFF (the SWAR edge cases)
        byte[] alphabet = {'\n', ':', 0x09, 0x0B, 0x39, 0x3B, 0x00, 0x01, (byte) 0x80, (byte) 0xFF, 'a'};
        for (int round = 0; round < 20_000; round++) {
            byte[] b = new byte[random.nextInt(40)];
            for (int i = 0; i < b.length; i++) {
                b[i] = alphabet[random.nextInt(alphabet.length)];
            }
            assertThat(DelimiterScanCpuRun.delimiters(b)).as("bytes %s", java.util.Arrays.toString(b))
                    .isEqualTo(byByte(b));
        }
    }
}
