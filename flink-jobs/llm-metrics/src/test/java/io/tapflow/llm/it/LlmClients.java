package io.tapflow.llm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real clients of the ITCases: curl command lines, and the official {@code openai} npm client. */
final class LlmClients {

    /** Pinned: the version resolved and checked here (the official OpenAI client). */
    private static final String OPENAI_NPM = "openai@6.49.0";

    private LlmClients() {
    }

    /**
     * A request body for {@code path}: TGI's {@code inputs}/{@code parameters} for /generate_stream, else OpenAI's
     * chat messages (Ollama's /api/chat takes the same); {@code maxTokens} null for none.
     */
    static String body(String path, String model, boolean stream, boolean usage, Integer maxTokens) {
        if (path.equals("/generate_stream")) {
            return "{\"inputs\":\"Say something scripted.\",\"model\":\"" + model + "\",\"parameters\":{}}";
        }
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Say something"
                + " scripted.\"}],\"stream\":" + stream
                + (usage ? ",\"stream_options\":{\"include_usage\":true}" : "")
                + (maxTokens != null ? ",\"max_tokens\":" + maxTokens : "") + "}";
    }

    /** curl POSTing {@code body} with a bearer key, output discarded; {@code maxTime} (seconds) null for none. */
    static List<String> curl(String base, String path, String body, String key, String maxTime) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-N", "-o", "/dev/null", "-X", "POST",
                base + path, "-H", "Content-Type: application/json", "-H", "Authorization: Bearer " + key,
                "--data-binary", body));
        if (maxTime != null) {
            command.addAll(List.of("--max-time", maxTime));
        }
        return command;
    }

    /** The openai client streaming one chat completion of {@code model} (see {@link #openAiClient()}). */
    static List<String> node(Path dir, String base, String model, String key, boolean usage) {
        return List.of("node", dir.resolve("client.mjs").toString(), base + "/v1", model, key,
                usage ? "usage" : "plain");
    }

    /** The official OpenAI client, installed with npm into target/ (never globally), and a script using it. */
    static Path openAiClient() throws Exception {
        Path dir = Path.of("target", "openai-client").toAbsolutePath();
        Files.createDirectories(dir);
        if (!Files.exists(dir.resolve("node_modules/openai/package.json"))) {
            Files.writeString(dir.resolve("package.json"), "{\"name\":\"openai-client\",\"private\":true}\n");
            Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", OPENAI_NPM)
                    .directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(npm.waitFor(300, TimeUnit.SECONDS)).as("npm install in time").isTrue();
            assertThat(npm.exitValue()).as("npm install %s: %s", OPENAI_NPM, out).isZero();
        }
        Files.writeString(dir.resolve("client.mjs"), """
                import OpenAI from 'openai';
                const [, , baseURL, model, apiKey, mode] = process.argv;
                const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
                const params = { model, stream: true,
                  messages: [{ role: 'user', content: 'Say something scripted.' }] };
                if (mode === 'usage') params.stream_options = { include_usage: true };
                const stream = await client.chat.completions.create(params);
                let tokens = 0; let usage = null;
                for await (const chunk of stream) {
                  if (chunk.choices?.[0]?.delta?.content) tokens++;
                  if (chunk.usage) usage = chunk.usage;
                }
                console.log(JSON.stringify({ tokens, usage }));
                """);
        return dir;
    }
}
