package io.tapflow.llm.metrics;

/**
 * The explicit bucket boundaries the OpenTelemetry GenAI semantic conventions advise (seconds), as the LlmMetric
 * contract documents them: {@code gen_ai.server.time_to_first_token}, {@code gen_ai.server.time_per_output_token}
 * and {@code gen_ai.server.request.duration}. Counts are non-cumulative per bucket with a final +Inf bucket, and a
 * value equal to a bound falls in that bound's bucket (Prometheus {@code le}).
 */
public final class GenAiBuckets {

    public static final double[] TTFT_SECONDS =
            {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0};
    public static final double[] TPOT_SECONDS =
            {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5};
    public static final double[] E2E_SECONDS =
            {0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92};

    private GenAiBuckets() {
    }

    /** Bounds in whole microseconds (all advised bounds are). */
    static long[] micros(double[] seconds) {
        long[] us = new long[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            us[i] = Math.round(seconds[i] * 1_000_000);
        }
        return us;
    }

    /** Index of the bucket of {@code valueUs}: the first bound {@code >= valueUs}, or {@code bounds.length} (+Inf). */
    static int bucket(long[] boundsUs, long valueUs) {
        for (int i = 0; i < boundsUs.length; i++) {
            if (valueUs <= boundsUs[i]) {
                return i;
            }
        }
        return boundsUs.length;
    }
}
