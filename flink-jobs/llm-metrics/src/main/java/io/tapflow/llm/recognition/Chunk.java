package io.tapflow.llm.recognition;

/**
 * What one stream event, or a whole non-streamed JSON body, says about the generation.
 *
 * @param content          true when it carries generated output (text, tool call, reasoning), not only a role or
 *                         metadata: the events TTFT and TPOT are measured on
 * @param textChars        characters of generated text it carries (estimates output tokens of non-streamed bodies)
 * @param finishReason     finish reason it reports, or null
 * @param promptTokens     provider-reported input tokens, or null
 * @param completionTokens provider-reported output tokens, or null
 * @param done             true when it is the provider's terminal event (Ollama done, TGI details)
 * @param model            model name it reports, or null
 * @param error            error message it carries, or null
 */
record Chunk(boolean content, int textChars, String finishReason, Long promptTokens, Long completionTokens,
             boolean done, String model, String error) {

    static final Chunk EMPTY = new Chunk(false, 0, null, null, null, false, null, null);
}
