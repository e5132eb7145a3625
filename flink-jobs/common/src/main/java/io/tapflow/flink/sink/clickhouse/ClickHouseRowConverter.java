package io.tapflow.flink.sink.clickhouse;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.base.sink.writer.ElementConverter;

/**
 * Applies the user's {@link ClickHouseRowSerializer} and enforces its contract. A violation is a bug in the
 * serializer, so it throws (and fails the job) naming the serializer class, instead of sending a batch ClickHouse
 * would reject as a whole or, worse, parse as two rows.
 */
final class ClickHouseRowConverter<T> implements ElementConverter<T, ClickHouseRow> {

    private static final long serialVersionUID = 1L;
    private static final int SHOWN_BYTES = 200;

    private final ClickHouseRowSerializer<T> serializer;

    ClickHouseRowConverter(ClickHouseRowSerializer<T> serializer) {
        this.serializer = serializer;
    }

    @Override
    public ClickHouseRow apply(T element, SinkWriter.Context context) {
        return new ClickHouseRow(checked(serializer.serialize(element)), 0);
    }

    /** The line when it is one JSON object on one line; otherwise an exception saying what is wrong. */
    byte[] checked(byte[] line) {
        if (line == null) {
            throw violation("returned null", null);
        }
        int first = 0;
        int last = line.length - 1;
        while (first <= last && isBlank(line[first])) {
            first++;
        }
        while (last >= first && isBlank(line[last])) {
            last--;
        }
        if (first > last) {
            throw violation("returned an empty line", line);
        }
        for (byte b : line) {
            if (b == '\n' || b == '\r') {
                // JSON escapes line breaks inside strings; a raw one would split the row
                throw violation("returned a line containing a raw line break", line);
            }
        }
        if (line[first] != '{' || line[last] != '}') {
            throw violation("returned something that is not a JSON object", line);
        }
        return line;
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    private IllegalArgumentException violation(String what, byte[] line) {
        String shown = "";
        if (line != null) {
            int n = Math.min(line.length, SHOWN_BYTES);
            shown = ": " + new String(line, 0, n, StandardCharsets.UTF_8)
                    .replace("\n", "\\n").replace("\r", "\\r") + (line.length > n ? "…" : "");
        }
        return new IllegalArgumentException("ClickHouseRowSerializer " + serializer.getClass().getName() + " " + what
                + " (expected one JSONEachRow object on one line, without the line break)" + shown);
    }
}
