package io.tapflow.flink.sink.clickhouse;

import org.apache.flink.connector.base.sink.writer.strategy.RateLimitingStrategy;
import org.apache.flink.connector.base.sink.writer.strategy.RequestInfo;
import org.apache.flink.connector.base.sink.writer.strategy.ResultInfo;

/**
 * Caps concurrent inserts and nothing else. The AsyncSinkWriter default (AIMD congestion control) shrinks batches
 * after failures; ClickHouse wants the opposite — every insert makes a part, and many small inserts are what causes
 * TOO_MANY_PARTS. Pressure is relieved by the writer's backoff instead, which keeps the failed request in flight.
 * Used on the mailbox thread only.
 */
final class InFlightRequestLimit implements RateLimitingStrategy {

    private final int maxInFlightRequests;
    private final int maxBatchSize;
    private int inFlight;

    InFlightRequestLimit(int maxInFlightRequests, int maxBatchSize) {
        this.maxInFlightRequests = maxInFlightRequests;
        this.maxBatchSize = maxBatchSize;
    }

    @Override
    public void registerInFlightRequest(RequestInfo requestInfo) {
        inFlight++;
    }

    @Override
    public void registerCompletedRequest(ResultInfo resultInfo) {
        inFlight--;
    }

    @Override
    public boolean shouldBlock(RequestInfo requestInfo) {
        return inFlight >= maxInFlightRequests;
    }

    @Override
    public int getMaxBatchSize() {
        return maxBatchSize;
    }
}
