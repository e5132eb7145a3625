package io.tapflow.llm.recognition;

import io.tapflow.schema.LlmRequest;

/**
 * The result of analysing one exchange.
 *
 * @param request        the record to emit
 * @param malformedParts stream events or bodies that were not the JSON their dialect sends (counted by the job;
 *                       the first one's reason is in {@code request.error})
 */
public record Analysis(LlmRequest request, int malformedParts) {
}
