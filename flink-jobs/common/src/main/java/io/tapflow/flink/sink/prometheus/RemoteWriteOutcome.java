package io.tapflow.flink.sink.prometheus;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * What the sink does with the answer to one remote-write POST. The rules (remote-write spec 1.0 plus Prometheus'
 * own receiver):
 * <ul>
 *   <li>2xx: written.</li>
 *   <li>400 or 5xx whose body names a sample Prometheus already has or no longer takes ("out of order sample",
 *       "duplicate sample for timestamp", "out of bounds", "too old sample"): {@link #REJECTED_SAMPLES}. This is what
 *       a replay after a Flink restore produces; Prometheus rolls back the whole request on it, so the sink splits
 *       the request to save its other samples and drops the rejected ones with a counter. 5xx is included because
 *       Prometheus 2.42 answers "too old sample" (older than out_of_order_time_window) with 500 — measured — and
 *       retrying a sample that can never be taken would fail the job on every replay.</li>
 *   <li>other 5xx, 429 and I/O errors (refused connection, timeout, reset): {@link #RETRY} with backoff — the
 *       receiver may recover and the request is idempotent for it.</li>
 *   <li>any other 4xx (bad labels, too large, auth): {@link #FATAL}; retrying cannot help and dropping would hide a
 *       bug, so the job fails with Prometheus' message.</li>
 * </ul>
 */
enum RemoteWriteOutcome {
    WRITTEN,
    RETRY,
    REJECTED_SAMPLES,
    FATAL;

    // Messages of Prometheus' storage errors for samples it cannot take (ErrOutOfOrderSample,
    // ErrDuplicateSampleForTimestamp, ErrOutOfBounds: 400; ErrTooOldSample: 500 in 2.42).
    private static final List<String> SAMPLE_REJECTIONS =
            List.of("out of order sample", "duplicate sample for timestamp", "out of bounds", "too old sample");

    static RemoteWriteOutcome of(int status, String body) {
        if (status >= 200 && status < 300) {
            return WRITTEN;
        }
        if ((status == 400 || status >= 500) && isSampleRejection(body)) {
            return REJECTED_SAMPLES;
        }
        if (status >= 500 || status == 429) {
            return RETRY;
        }
        return FATAL;
    }

    /** Failures without an HTTP answer: I/O errors are transient (server restarting, network); anything else is a bug. */
    static RemoteWriteOutcome of(Throwable failure) {
        return failure instanceof IOException ? RETRY : FATAL;
    }

    static boolean isSampleRejection(String body) {
        if (body == null) {
            return false;
        }
        String lower = body.toLowerCase(Locale.ROOT);
        for (String rejection : SAMPLE_REJECTIONS) {
            if (lower.contains(rejection)) {
                return true;
            }
        }
        return false;
    }
}
