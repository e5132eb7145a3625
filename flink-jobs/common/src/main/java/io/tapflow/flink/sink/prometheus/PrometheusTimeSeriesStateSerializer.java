package io.tapflow.flink.sink.prometheus;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;

/** Checkpoints the series buffered in a writer (not yet acknowledged by Prometheus) so a restore re-sends them. */
class PrometheusTimeSeriesStateSerializer extends AsyncSinkWriterStateSerializer<PrometheusTimeSeries> {

    private static final int VERSION = 1;

    @Override
    protected void serializeRequestToStream(PrometheusTimeSeries series, DataOutputStream out) throws IOException {
        writeString(out, series.metricName());
        String[] names = series.labelNamesArray();
        String[] values = series.labelValuesArray();
        out.writeInt(names.length);
        for (int i = 0; i < names.length; i++) {
            writeString(out, names[i]);
            writeString(out, values[i]);
        }
        out.writeInt(series.sampleCount());
        for (int i = 0; i < series.sampleCount(); i++) {
            out.writeLong(series.timestampAt(i));
            out.writeDouble(series.valueAt(i));
        }
    }

    @Override
    protected PrometheusTimeSeries deserializeRequestFromStream(long requestSize, DataInputStream in)
            throws IOException {
        String metricName = readString(in);
        int labelCount = in.readInt();
        String[] names = new String[labelCount];
        String[] values = new String[labelCount];
        for (int i = 0; i < labelCount; i++) {
            names[i] = readString(in);
            values[i] = readString(in);
        }
        int sampleCount = in.readInt();
        long[] timestamps = new long[sampleCount];
        double[] sampleValues = new double[sampleCount];
        for (int i = 0; i < sampleCount; i++) {
            timestamps[i] = in.readLong();
            sampleValues[i] = in.readDouble();
        }
        return PrometheusTimeSeries.restored(metricName, names, values, timestamps, sampleValues);
    }

    // writeUTF stops at 64 KiB; label values have no such limit in Prometheus.
    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public int getVersion() {
        return VERSION;
    }
}
