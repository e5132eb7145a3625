package io.tapflow.llm;

import io.tapflow.schema.LlmRequest;
import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.ResponseStatus;

/** Named instants and LlmRequest fixtures shared by the stage tests. */
public abstract class LlmTestBase {

    /** 2026-01-01T00:00:00Z: a whole hour, minute and 10 s. */
    public static final long T0_MS = 1_767_225_600_000L;
    public static final long T0_US = T0_MS * 1000;
    public static final String SERVICE = "vllm";
    public static final String MODEL = "llama-3-8b";
    public static final String TENANT_A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    public static final String TENANT_B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    private static int ids;

    /** An OK streamed chat request starting {@code startUsAfterT0} after T0 and lasting {@code e2eUs}. */
    public static LlmRequest request(long startUsAfterT0, long e2eUs) {
        return builder(startUsAfterT0, e2eUs).build();
    }

    public static LlmRequest.Builder builder(long startUsAfterT0, long e2eUs) {
        return LlmRequest.newBuilder()
                .setRequestId(String.format("%032x", ++ids))
                .setAgentId("agent-1")
                .setService(SERVICE)
                .setProvider("openai")
                .setModel(MODEL)
                .setOperation("chat")
                .setStream(true)
                .setObservationPoint(ObservationPoint.SERVER_PROCESS)
                .setTenant(TENANT_A)
                .setStartTimeUs(T0_US + startUsAfterT0)
                .setTtftUs(null)
                .setTpotUs(null)
                .setE2eUs(e2eUs)
                .setInputTokens(10)
                .setOutputTokens(20)
                .setTokensEstimated(false)
                .setTokensPerSecond(null)
                .setFinishReason("stop")
                .setStatus(ResponseStatus.OK)
                .setResponseCode(200)
                .setComplete(true)
                .setError(null);
    }
}
