package io.tapflow.collector.bpf;

import static io.tapflow.collector.bpf.EventLayout.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes drain-buffer records the way libtapflow_collector.so does, at the offsets EventLayout (checked) names. */
final class RecordWriter {

    final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.nativeOrder());
    private int end;

    /** Starts a record of {@code size} bytes; returns its offset for the field writes. */
    int begin(int size) {
        buffer.putInt(end, size);
        buffer.putInt(end + 4, 0);
        int record = end + RECORD_PREFIX;
        for (int i = 0; i < ((size + 7) & ~7); i++) {
            buffer.put(record + i, (byte) 0);
        }
        end = record + ((size + 7) & ~7);
        return record;
    }

    int length() {
        return end;
    }

    void comm(int at, String comm) {
        byte[] bytes = comm.getBytes(StandardCharsets.US_ASCII);
        buffer.put(at, bytes);
    }

    void bytes(int at, int... values) {
        for (int i = 0; i < values.length; i++) {
            buffer.put(at + i, (byte) values[i]);
        }
    }
}
