package io.tapflow.llm.analysis;

import io.tapflow.llm.recognition.Analysis;
import io.tapflow.llm.recognition.LlmExchange;
import io.tapflow.llm.recognition.LlmRequestAnalyzer;
import io.tapflow.schema.LlmRequest;
import java.util.Objects;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The stateless stage between the front end's HTTP exchanges and everything LLM: keeps the exchanges on LLM routes
 * and turns each into an {@link LlmRequest}. Counters: {@value #REQUESTS_COUNTER} (records emitted),
 * {@value #NOT_LLM_COUNTER} (other HTTP traffic dropped), {@value #MALFORMED_COUNTER} (stream events or bodies that
 * were not their dialect's JSON; their rows carry the reason in {@code error}), {@value #INCOMPLETE_COUNTER}, {@value #FAILURES_COUNTER} (an exchange the analyzer
 * threw on: a bug, counted and dropped rather than failing the job).
 */
public final class LlmAnalysisFunction extends ProcessFunction<LlmExchange, LlmRequest> {

    private static final long serialVersionUID = 1L;

    public static final String REQUESTS_COUNTER = "llmRequests";
    public static final String NOT_LLM_COUNTER = "nonLlmExchanges";
    public static final String MALFORMED_COUNTER = "malformedLlmParts";
    public static final String INCOMPLETE_COUNTER = "incompleteLlmRequests";
    public static final String FAILURES_COUNTER = "llmAnalysisFailures";

    private final LlmRequestAnalyzer analyzer;

    private transient Counter requests;
    private transient Counter notLlm;
    private transient Counter malformed;
    private transient Counter incomplete;
    private transient Counter failures;

    public LlmAnalysisFunction(LlmRequestAnalyzer analyzer) {
        this.analyzer = Objects.requireNonNull(analyzer, "analyzer");
    }

    @Override
    public void open(OpenContext openContext) {
        var group = getRuntimeContext().getMetricGroup();
        requests = group.counter(REQUESTS_COUNTER);
        notLlm = group.counter(NOT_LLM_COUNTER);
        malformed = group.counter(MALFORMED_COUNTER);
        incomplete = group.counter(INCOMPLETE_COUNTER);
        failures = group.counter(FAILURES_COUNTER);
    }

    @Override
    public void processElement(LlmExchange exchange, Context ctx, Collector<LlmRequest> out) {
        Optional<Analysis> analysis;
        try {
            analysis = analyzer.analyze(exchange);
        } catch (RuntimeException e) {
            // the analyzer reports bad input in the row; this is a bug of ours, and a job never fails on data
            failures.inc();
            return;
        }
        if (analysis.isEmpty()) {
            notLlm.inc();
            return;
        }
        Analysis a = analysis.get();
        malformed.inc(a.malformedParts());
        if (!a.request().getComplete()) {
            incomplete.inc();
        }
        requests.inc();
        out.collect(a.request());
    }
}
