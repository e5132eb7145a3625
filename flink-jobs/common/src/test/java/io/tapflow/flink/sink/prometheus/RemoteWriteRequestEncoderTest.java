package io.tapflow.flink.sink.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

class RemoteWriteRequestEncoderTest {

    @Test
    void smallRequestMatchesHandComputedBytes() {
        PrometheusTimeSeries series = PrometheusTimeSeries.builder("up").sample(1, 1.0).build();

        byte[] bytes = RemoteWriteRequestEncoder.encode(List.of(series));

        // Label{1:"__name__", 2:"up"} = 0a 08 "__name__" 12 02 "up" (14 bytes)
        // Sample{1: double 1.0, 2: int64 1} = 09 <00 00 00 00 00 00 f0 3f> 10 01 (11 bytes)
        // TimeSeries{1: label, 2: sample} = 0a 0e <label> 12 0b <sample> (29 bytes); WriteRequest = 0a 1d <ts>
        byte[] expected = concat(
                new byte[] {0x0a, 0x1d, 0x0a, 0x0e, 0x0a, 0x08}, "__name__".getBytes(),
                new byte[] {0x12, 0x02}, "up".getBytes(),
                new byte[] {0x12, 0x0b, 0x09, 0, 0, 0, 0, 0, 0, (byte) 0xf0, 0x3f, 0x10, 0x01});
        assertThat(bytes).isEqualTo(expected);
        assertThat(RemoteWriteRequestEncoder.encodedSize(series)).isEqualTo(bytes.length);
    }

    @Test
    void decodesBackWithSortedLabelsAndSamplesInOrder() throws IOException {
        PrometheusTimeSeries bucket = PrometheusTimeSeries.builder("gen_ai_server_time_to_first_token_seconds_bucket")
                .label("le", "+Inf").label("Model", "llama-3").label("service", "chat-ü")
                .sample(1_700_000_000_000L, 3).sample(1_700_000_015_000L, -0.5).build();
        PrometheusTimeSeries counter = PrometheusTimeSeries.builder("requests_total")
                .sample(0, 0).build();

        byte[] compressed = RemoteWriteRequestEncoder.encodeCompressed(List.of(bucket, counter));
        List<Decoded> decoded = decode(Snappy.uncompress(compressed));

        assertThat(decoded).hasSize(2);
        // byte order: upper case before '_' before lower case
        assertThat(decoded.get(0).labels).containsExactly("Model=llama-3",
                "__name__=gen_ai_server_time_to_first_token_seconds_bucket", "le=+Inf", "service=chat-ü");
        assertThat(decoded.get(0).samples).containsExactly("1700000000000=3.0", "1700000015000=-0.5");
        assertThat(decoded.get(1).labels).containsExactly("__name__=requests_total");
        assertThat(decoded.get(1).samples).containsExactly("0=0.0");
        int sizes = RemoteWriteRequestEncoder.encodedSize(bucket) + RemoteWriteRequestEncoder.encodedSize(counter);
        assertThat(Snappy.uncompress(compressed)).hasSize(sizes);
    }

    @Test
    void emptyRequestIsEmpty() {
        assertThat(RemoteWriteRequestEncoder.encode(List.of())).isEmpty();
    }

    private record Decoded(List<String> labels, List<String> samples) {
    }

    /** A reader written from the .proto, independent of the encoder: field numbers and wire types checked. */
    private static List<Decoded> decode(byte[] writeRequest) throws IOException {
        List<Decoded> result = new ArrayList<>();
        CodedInputStream in = CodedInputStream.newInstance(writeRequest);
        while (!in.isAtEnd()) {
            assertThat(in.readTag()).isEqualTo(tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED));
            CodedInputStream ts = CodedInputStream.newInstance(in.readByteArray());
            Decoded d = new Decoded(new ArrayList<>(), new ArrayList<>());
            while (!ts.isAtEnd()) {
                int tag = ts.readTag();
                CodedInputStream m = CodedInputStream.newInstance(ts.readByteArray());
                if (tag == tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                    assertThat(m.readTag()).isEqualTo(tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED));
                    String name = m.readString();
                    assertThat(m.readTag()).isEqualTo(tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED));
                    d.labels.add(name + "=" + m.readString());
                } else {
                    assertThat(tag).isEqualTo(tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED));
                    assertThat(m.readTag()).isEqualTo(tag(1, WireFormat.WIRETYPE_FIXED64));
                    double value = m.readDouble();
                    assertThat(m.readTag()).isEqualTo(tag(2, WireFormat.WIRETYPE_VARINT));
                    d.samples.add(m.readInt64() + "=" + value);
                }
                assertThat(m.isAtEnd()).isTrue();
            }
            result.add(d);
        }
        return result;
    }

    // the protobuf tag: field number and wire type (WireFormat.makeTag is package-private)
    private static int tag(int field, int wireType) {
        return field << 3 | wireType;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
