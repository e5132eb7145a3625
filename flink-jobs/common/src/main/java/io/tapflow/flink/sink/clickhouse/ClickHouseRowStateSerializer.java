package io.tapflow.flink.sink.clickhouse;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;

/**
 * Checkpointed rows still in the writer's buffer: the line only. The failed-attempt count is not kept — a restored
 * row belongs to a restarted job and gets a fresh retry budget.
 */
final class ClickHouseRowStateSerializer extends AsyncSinkWriterStateSerializer<ClickHouseRow> {

    private static final int VERSION = 1;

    @Override
    protected void serializeRequestToStream(ClickHouseRow row, DataOutputStream out) throws IOException {
        out.writeInt(row.line().length);
        out.write(row.line());
    }

    @Override
    protected ClickHouseRow deserializeRequestFromStream(long requestSize, DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > requestSize) {
            throw new IOException("corrupt ClickHouse sink state: row of " + length + " bytes, entry size "
                    + requestSize);
        }
        byte[] line = new byte[length];
        in.readFully(line);
        return new ClickHouseRow(line, 0);
    }

    @Override
    public int getVersion() {
        return VERSION;
    }
}
