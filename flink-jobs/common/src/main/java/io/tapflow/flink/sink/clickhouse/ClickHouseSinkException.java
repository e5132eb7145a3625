package io.tapflow.flink.sink.clickhouse;

/**
 * Fails the job when an insert cannot succeed: ClickHouse rejected the rows (the message carries the server's error
 * text and code), or a retriable failure persisted through every allowed attempt.
 */
public final class ClickHouseSinkException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int clickHouseCode;

    ClickHouseSinkException(String message, int clickHouseCode, Throwable cause) {
        super(message, cause);
        this.clickHouseCode = clickHouseCode;
    }

    /** ClickHouse's error code, or 0 when the failure was not an answer of the server (a connection error …). */
    public int clickHouseCode() {
        return clickHouseCode;
    }
}
