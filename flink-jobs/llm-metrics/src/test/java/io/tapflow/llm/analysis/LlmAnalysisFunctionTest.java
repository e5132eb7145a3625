package io.tapflow.llm.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.llm.LlmTypes;
import io.tapflow.llm.recognition.CapturedExchanges;
import io.tapflow.llm.recognition.LlmEndpoints;
import io.tapflow.llm.recognition.LlmExchange;
import io.tapflow.llm.recognition.LlmRequestAnalyzer;
import io.tapflow.llm.recognition.TenantResolver;
import io.tapflow.schema.LlmRequest;
import java.util.List;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The stateless analysis stage: LLM exchanges become records with the exchange's timestamp, others are dropped. */
class LlmAnalysisFunctionTest {

    @Test
    void keepsLlmExchangesOnlyAndKeepsTheirTimestamps() throws Exception {
        var function = new LlmAnalysisFunction(
                new LlmRequestAnalyzer(LlmEndpoints.defaults(), new TenantResolver(null, "s")));
        try (var h = new OneInputStreamOperatorTestHarness<LlmExchange, LlmRequest>(new ProcessOperator<>(function))) {
            h.setup(LlmTypes.REQUEST.createSerializer(h.getExecutionConfig().getSerializerConfig()));
            h.open();
            LlmExchange ollama = CapturedExchanges.exchanges("http1/09-ollama-json").get(0);
            List<LlmExchange> other = CapturedExchanges.exchanges("http1/01-get-keepalive");
            h.processElement(new StreamRecord<>(other.get(0), 1L));
            h.processElement(new StreamRecord<>(ollama, 2L));
            assertThat(h.extractOutputStreamRecords()).singleElement().satisfies(r -> {
                assertThat(r.getTimestamp()).isEqualTo(2L);
                assertThat(((LlmRequest) r.getValue()).getProvider()).isEqualTo("ollama");
            });
        }
    }
}
