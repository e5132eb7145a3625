package io.tapflow.flink.sink.prometheus;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.xerial.snappy.Snappy;

/**
 * Encodes Prometheus remote-write 1.0 requests: the protobuf {@code prometheus.WriteRequest} written field by field
 * with {@link CodedOutputStream} (no generated classes), then snappy block-compressed as the spec requires.
 *
 * <pre>
 * message WriteRequest { repeated TimeSeries timeseries = 1; }
 * message TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
 * message Label        { string name = 1; string value = 2; }
 * message Sample       { double value = 1; int64 timestamp = 2; }
 * </pre>
 *
 * <p>Sizes are computed first so each request is written into one exactly sized array. Fields holding zero
 * ({@code value = 0.0}, {@code timestamp = 0}) are still written: proto3 readers treat present and absent zeros alike,
 * and writing them keeps the encoder branch-free.
 */
public final class RemoteWriteRequestEncoder {

    private static final int WRITE_REQUEST_TIMESERIES = 1;
    private static final int TIMESERIES_LABELS = 1;
    private static final int TIMESERIES_SAMPLES = 2;
    private static final int LABEL_NAME = 1;
    private static final int LABEL_VALUE = 2;
    private static final int SAMPLE_VALUE = 1;
    private static final int SAMPLE_TIMESTAMP = 2;

    private RemoteWriteRequestEncoder() {
    }

    /** The uncompressed protobuf WriteRequest holding {@code series} in order. */
    public static byte[] encode(List<PrometheusTimeSeries> series) {
        int size = 0;
        for (PrometheusTimeSeries s : series) {
            size += CodedOutputStream.computeTagSize(WRITE_REQUEST_TIMESERIES) + lengthDelimited(timeSeriesSize(s));
        }
        byte[] bytes = new byte[size];
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            for (PrometheusTimeSeries s : series) {
                writeTimeSeries(out, s);
            }
            out.checkNoSpaceLeft();
        } catch (IOException e) {
            // only a wrong size computation gets here: the array is sized exactly
            throw new UncheckedIOException("remote-write encoding overflowed its computed size", e);
        }
        return bytes;
    }

    /** The HTTP body: {@link #encode(List)} snappy block-compressed (not the framed snappy stream format). */
    public static byte[] encodeCompressed(List<PrometheusTimeSeries> series) {
        try {
            return Snappy.compress(encode(series));
        } catch (IOException e) {
            throw new UncheckedIOException("snappy compression failed", e);
        }
    }

    /**
     * What {@code series} adds to an uncompressed WriteRequest, in bytes (field tag, length prefix and message);
     * the sink sizes its batches with it.
     */
    public static int encodedSize(PrometheusTimeSeries series) {
        return CodedOutputStream.computeTagSize(WRITE_REQUEST_TIMESERIES) + lengthDelimited(timeSeriesSize(series));
    }

    private static void writeTimeSeries(CodedOutputStream out, PrometheusTimeSeries s) throws IOException {
        out.writeTag(WRITE_REQUEST_TIMESERIES, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(timeSeriesSize(s));
        String[] names = s.labelNamesArray();
        String[] values = s.labelValuesArray();
        for (int i = 0; i < names.length; i++) {
            out.writeTag(TIMESERIES_LABELS, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(labelSize(names[i], values[i]));
            out.writeString(LABEL_NAME, names[i]);
            out.writeString(LABEL_VALUE, values[i]);
        }
        for (int i = 0; i < s.sampleCount(); i++) {
            out.writeTag(TIMESERIES_SAMPLES, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(sampleSize(s.timestampAt(i)));
            out.writeDouble(SAMPLE_VALUE, s.valueAt(i));
            out.writeInt64(SAMPLE_TIMESTAMP, s.timestampAt(i));
        }
    }

    private static int timeSeriesSize(PrometheusTimeSeries s) {
        int size = 0;
        String[] names = s.labelNamesArray();
        String[] values = s.labelValuesArray();
        for (int i = 0; i < names.length; i++) {
            size += CodedOutputStream.computeTagSize(TIMESERIES_LABELS) + lengthDelimited(labelSize(names[i], values[i]));
        }
        for (int i = 0; i < s.sampleCount(); i++) {
            size += CodedOutputStream.computeTagSize(TIMESERIES_SAMPLES) + lengthDelimited(sampleSize(s.timestampAt(i)));
        }
        return size;
    }

    private static int labelSize(String name, String value) {
        return CodedOutputStream.computeStringSize(LABEL_NAME, name)
                + CodedOutputStream.computeStringSize(LABEL_VALUE, value);
    }

    private static int sampleSize(long timestampMs) {
        return CodedOutputStream.computeDoubleSize(SAMPLE_VALUE, 0)
                + CodedOutputStream.computeInt64Size(SAMPLE_TIMESTAMP, timestampMs);
    }

    private static int lengthDelimited(int messageSize) {
        return CodedOutputStream.computeUInt32SizeNoTag(messageSize) + messageSize;
    }
}
