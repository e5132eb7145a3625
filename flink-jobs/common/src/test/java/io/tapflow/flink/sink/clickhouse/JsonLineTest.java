package io.tapflow.flink.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link JsonLine} writes the bytes Jackson's default generator (what the rows were written with before) writes. */
class JsonLineTest {

    private static final JsonFactory JACKSON = new JsonFactory();

    private interface Writes {
        void to(JsonGenerator json) throws IOException;
    }

    private static byte[] jackson(Writes w) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = JACKSON.createGenerator(out)) {
            json.writeStartArray();
            w.to(json);
            json.writeEndArray();
        }
        byte[] b = out.toByteArray();
        return java.util.Arrays.copyOfRange(b, 1, b.length - 1);
    }

    @Test
    void everyCharacterOfTheBasicPlaneIsEscapedOrEncodedAsJacksonDoes() throws IOException {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < Character.MAX_VALUE; c++) {
            if (!Character.isSurrogate(c)) {
                all.append(c);
            }
        }
        String s = all.toString();
        JsonLine line = new JsonLine();
        line.string(s);

        assertThat(line.toByteArray()).isEqualTo(jackson(json -> json.writeString(s)));
    }

    @Test
    void surrogatesPairedOrNotAreEscapedAsJacksonDoes() throws IOException {
        for (String s : new String[] {"a\uD83D\uDE00b\uD800\uDC00\uDBFF\uDFFF", "x\uD800y", "\uDC00z"}) {
            JsonLine line = new JsonLine();
            line.string(s);
            assertThat(line.toByteArray()).as(s).isEqualTo(jackson(json -> json.writeString(s)));
        }
    }

    @Test
    void stringsLongerThanAChunkOfEscapesGrowTheBuffer() throws IOException {
        String s = "\u0001\"\u00e9\u20ac\uD83D\uDE00".repeat(5_000);
        JsonLine line = new JsonLine();
        line.raw((byte) '{');
        line.string(s);
        byte[] expected = jackson(json -> json.writeString(s));

        byte[] got = line.toByteArray();
        assertThat(got[0]).isEqualTo((byte) '{');
        assertThat(java.util.Arrays.copyOfRange(got, 1, got.length)).isEqualTo(expected);
    }

    @Test
    void numbersAreWrittenAsJacksonWritesThem() throws IOException {
        long[] longs = {0, 1, -1, 9, 10, 99, 100, 123_456_789_012L, -987_654_321L, Long.MAX_VALUE, Long.MIN_VALUE,
                Integer.MAX_VALUE, Integer.MIN_VALUE};
        for (long v : longs) {
            JsonLine line = new JsonLine();
            line.number(v);
            assertThat(new String(line.toByteArray(), StandardCharsets.US_ASCII)).as("long %d", v)
                    .isEqualTo(new String(jackson(json -> json.writeNumber(v)), StandardCharsets.US_ASCII));
        }
        double[] doubles = {0.0, -0.0, 1.5, 1e300, 4.9e-324, 0.1, 123456.789, Double.NaN,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (double v : doubles) {
            JsonLine line = new JsonLine();
            line.number(v);
            assertThat(new String(line.toByteArray(), StandardCharsets.US_ASCII)).as("double %s", v)
                    .isEqualTo(new String(jackson(json -> json.writeNumber(v)), StandardCharsets.US_ASCII));
        }
        float[] floats = {0f, 1.25f, 3.4e38f, 1e-45f, 0.1f, Float.NaN, Float.NEGATIVE_INFINITY};
        for (float v : floats) {
            JsonLine line = new JsonLine();
            line.number(v);
            assertThat(new String(line.toByteArray(), StandardCharsets.US_ASCII)).as("float %s", v)
                    .isEqualTo(new String(jackson(json -> json.writeNumber(v)), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void aHugeRowsBufferIsNotKeptForTheNext() {
        JsonLine line = new JsonLine();
        line.string("x".repeat(200_000));
        line.reset();
        line.string("ab");

        assertThat(new String(line.toByteArray(), StandardCharsets.UTF_8)).isEqualTo("\"ab\"");
    }
}
