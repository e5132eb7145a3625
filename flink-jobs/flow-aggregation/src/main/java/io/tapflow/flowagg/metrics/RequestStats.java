package io.tapflow.flowagg.metrics;

import com.datadoghq.sketch.ddsketch.DDSketch;
import io.tapflow.schema.ResponseStatus;
import java.nio.ByteBuffer;

/**
 * Running RED counts of the request logs of one key and window: the accumulator shared by {@code RedMetric} and
 * {@code ServiceMapEdge}, whose metric fields are the same. Mutable; lives in keyed state through
 * {@link RequestStatsSerializer}.
 *
 * <p>Counting rules (the contract docs): every request log counts once in {@code requests}; CLIENT_ERROR,
 * SERVER_ERROR and TIMEOUT statuses count in their own field; a latency sample is a non-null
 * {@code response_duration_us} of a request that did not time out (a timeout has no response, and a duration a
 * parser might still attach would measure the job's timer, not the server). Negative durations (clock steps between
 * the two syscalls) are sampled as 0 so sums stay valid for the UInt64 columns.
 */
public final class RequestStats {

    private long requests;
    private long clientErrors;
    private long serverErrors;
    private long timeouts;
    private long latencyCount;
    private long latencySumUs;
    private long latencyMaxUs;
    // created with the first sample: most keys of a 1 s window see one or two requests
    private DDSketch sketch;

    public RequestStats() {
    }

    RequestStats(long requests, long clientErrors, long serverErrors, long timeouts, long latencyCount,
            long latencySumUs, long latencyMaxUs, DDSketch sketch) {
        this.requests = requests;
        this.clientErrors = clientErrors;
        this.serverErrors = serverErrors;
        this.timeouts = timeouts;
        this.latencyCount = latencyCount;
        this.latencySumUs = latencySumUs;
        this.latencyMaxUs = latencyMaxUs;
        this.sketch = sketch;
    }

    /** Counts one request log. */
    public void add(RequestSample log) {
        requests++;
        ResponseStatus status = log.responseStatus();
        switch (status) {
            case CLIENT_ERROR -> clientErrors++;
            case SERVER_ERROR -> serverErrors++;
            case TIMEOUT -> timeouts++;
            default -> {
            }
        }
        Long duration = log.responseDurationUs();
        if (duration != null && status != ResponseStatus.TIMEOUT) {
            addLatency(Math.max(0L, duration));
        }
    }

    private void addLatency(long us) {
        latencyCount++;
        latencySumUs += us;
        latencyMaxUs = Math.max(latencyMaxUs, us);
        if (sketch == null) {
            sketch = LatencySketch.create();
        }
        sketch.accept(us);
    }

    /** A deep copy: state backends that copy on access must not share the sketch. */
    public RequestStats copy() {
        return new RequestStats(requests, clientErrors, serverErrors, timeouts, latencyCount, latencySumUs,
                latencyMaxUs, sketch == null ? null : sketch.copy());
    }

    public long requests() {
        return requests;
    }

    public long clientErrors() {
        return clientErrors;
    }

    public long serverErrors() {
        return serverErrors;
    }

    public long timeouts() {
        return timeouts;
    }

    public long latencyCount() {
        return latencyCount;
    }

    public long latencySumUs() {
        return latencySumUs;
    }

    public long latencyMaxUs() {
        return latencyMaxUs;
    }

    /** The sketch, or null when there was no latency sample. */
    DDSketch sketch() {
        return sketch;
    }

    /** The contract's {@code latency_sketch}: the protobuf sketch, empty when there was no sample. */
    public ByteBuffer sketchBytes() {
        return ByteBuffer.wrap(sketch == null ? new byte[0] : LatencySketch.toBytes(sketch));
    }

    /** Latency at quantile {@code q} from the sketch, null when there was no sample. */
    public Double latencyAtQuantile(double q) {
        return sketch == null ? null : sketch.getValueAtQuantile(q);
    }
}
