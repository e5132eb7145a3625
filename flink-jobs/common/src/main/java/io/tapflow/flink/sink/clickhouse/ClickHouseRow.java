package io.tapflow.flink.sink.clickhouse;

import java.io.Serializable;
import java.util.List;

/**
 * One buffered row: a JSONEachRow line (without its line break) and how many inserts that carried it have failed
 * retriably so far. The attempt count lives in the row, not in the batch, because the writer re-queues failed rows at
 * the head of its buffer and they may be regrouped with fresh rows into the next batch.
 */
final class ClickHouseRow implements Serializable {

    private static final long serialVersionUID = 1L;

    private final byte[] line;
    private final int failedAttempts;

    ClickHouseRow(byte[] line, int failedAttempts) {
        this.line = line;
        this.failedAttempts = failedAttempts;
    }

    byte[] line() {
        return line;
    }

    int failedAttempts() {
        return failedAttempts;
    }

    /** The same row after one more failed insert. */
    ClickHouseRow failedOnce() {
        return new ClickHouseRow(line, failedAttempts + 1);
    }

    /** Bytes this row adds to an insert body: the line and its '\n'. */
    long sizeInBytes() {
        return line.length + 1L;
    }

    /** The body of one insert: every line followed by '\n'. */
    static byte[] body(List<ClickHouseRow> rows) {
        long size = 0;
        for (ClickHouseRow r : rows) {
            size += r.sizeInBytes();
        }
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("insert body of " + size + " bytes exceeds a Java array");
        }
        byte[] body = new byte[(int) size];
        int at = 0;
        for (ClickHouseRow r : rows) {
            System.arraycopy(r.line, 0, body, at, r.line.length);
            at += r.line.length;
            body[at++] = '\n';
        }
        return body;
    }
}
