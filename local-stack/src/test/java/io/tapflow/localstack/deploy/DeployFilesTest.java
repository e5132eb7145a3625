package io.tapflow.localstack.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml and deploy/k8s parse, pin every image, and reference only files that exist (a path under a
 * module's target/ counts when the module exists: Maven builds it before the files are used).
 */
class DeployFilesTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern PINNED = Pattern.compile("[^:@\\s]+(:[A-Za-z0-9._-]+)(@sha256:[0-9a-f]{64})?");

    @Test
    void composePinsEveryImageAndMountsOnlyFilesThatExist() throws IOException {
        JsonNode compose = YAML.readTree(ROOT.resolve("docker-compose.yml").toFile());
        JsonNode services = compose.path("services");
        assertThat(services.size()).as("services").isGreaterThanOrEqualTo(9);
        for (String required : List.of("kafka", "schema-registry", "jobmanager", "taskmanager", "job-submitter",
                "clickhouse", "prometheus", "grafana", "collector")) {
            assertThat(services.has(required)).as("service %s", required).isTrue();
        }
        List<String> problems = new ArrayList<>();
        services.fields().forEachRemaining(e -> {
            JsonNode s = e.getValue();
            checkPinned(e.getKey(), s.path("image").asText(""), problems);
            if (s.has("build")) {
                Path context = ROOT.resolve(s.path("build").path("context").asText("."));
                checkExists(e.getKey() + " build context", context, problems);
                checkDockerfile(context.resolve(s.path("build").path("dockerfile").asText("Dockerfile")), problems);
            }
            for (JsonNode v : s.path("volumes")) {
                String source = v.asText().split(":")[0];
                if (source.startsWith("./") || source.startsWith("/")) {
                    if (source.startsWith("./")) {
                        checkExists(e.getKey() + " volume " + source, ROOT.resolve(source), problems);
                    }
                } else if (!compose.path("volumes").has(source)) {
                    problems.add(e.getKey() + ": named volume " + source + " is not declared");
                }
            }
        });
        assertThat(problems).isEmpty();
    }

    @Test
    void theDockerfilesBuildFromFilesThatExist() throws IOException {
        List<String> problems = new ArrayList<>();
        try (var files = Files.list(ROOT.resolve("deploy/docker"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".Dockerfile")).toList()) {
                checkDockerfile(f, problems);
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void kubernetesManifestsParseAndReferenceWhatTheyDefine() throws IOException {
        JsonNode kustomization = YAML.readTree(ROOT.resolve("deploy/k8s/kustomization.yaml").toFile());
        List<String> problems = new ArrayList<>();
        Set<String> kinds = new HashSet<>();
        Set<String> configs = new HashSet<>();
        List<JsonNode> documents = new ArrayList<>();
        for (JsonNode resource : kustomization.path("resources")) {
            Path file = ROOT.resolve("deploy/k8s").resolve(resource.asText());
            checkExists("kustomization resource", file, problems);
            if (Files.exists(file)) {
                documents.addAll(readAll(file));
            }
        }
        for (JsonNode doc : documents) {
            String kind = doc.path("kind").asText();
            assertThat(doc.path("apiVersion").asText()).as("apiVersion of %s", kind).isNotEmpty();
            assertThat(doc.path("metadata").path("name").asText()).as("name of a %s", kind).isNotEmpty();
            kinds.add(kind);
            if (kind.equals("ConfigMap") || kind.equals("Secret")) {
                configs.add(doc.path("metadata").path("name").asText());
            }
        }
        assertThat(kinds).contains("DaemonSet", "FlinkDeployment", "ConfigMap");
        for (JsonNode doc : documents) {
            checkPinned(doc.path("metadata").path("name").asText(), doc.path("spec").path("image").asText(""),
                    problems);
            for (JsonNode container : doc.findValues("containers")) {
                for (JsonNode c : container) {
                    if (c.has("image")) {
                        checkPinned(c.path("name").asText(), c.path("image").asText(), problems);
                    }
                }
            }
            for (JsonNode volumes : doc.findValues("volumes")) {
                for (JsonNode v : volumes) {
                    String ref = v.path("configMap").path("name").asText(v.path("secret").path("secretName")
                            .asText(""));
                    if (!ref.isEmpty() && !configs.contains(ref)) {
                        problems.add(doc.path("metadata").path("name").asText() + " mounts " + ref
                                + ", which no manifest defines");
                    }
                }
            }
            if (doc.path("kind").asText().equals("FlinkDeployment")) {
                String jar = doc.path("spec").path("job").path("jarURI").asText();
                assertThat(jar).as("jarURI").startsWith("local:///opt/tapflow/");
            }
        }
        assertThat(problems).isEmpty();
    }

    private static List<JsonNode> readAll(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc instanceof ObjectNode) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    private static void checkPinned(String who, String image, List<String> problems) {
        if (image.isEmpty()) {
            return;
        }
        Matcher m = PINNED.matcher(image);
        if (!m.matches() || image.endsWith(":latest")) {
            problems.add(who + ": image " + image + " is not pinned to a version");
        }
    }

    private static void checkDockerfile(Path dockerfile, List<String> problems) {
        if (!Files.isRegularFile(dockerfile)) {
            problems.add("missing Dockerfile " + dockerfile);
            return;
        }
        try {
            for (String line : Files.readAllLines(dockerfile)) {
                String[] f = line.trim().split("\\s+");
                if (f[0].equals("FROM")) {
                    checkPinned(dockerfile.getFileName().toString(), f[1], problems);
                } else if (f[0].equals("COPY") && !line.contains("--from=") && f.length >= 3 && !f[1].equals(".")) {
                    checkExists(dockerfile.getFileName() + " COPY", ROOT.resolve(f[1]), problems);
                }
            }
        } catch (IOException e) {
            problems.add("cannot read " + dockerfile + ": " + e);
        }
    }

    /** A path under a module's target/ exists once Maven has built that module: the module must exist. */
    private static void checkExists(String what, Path path, List<String> problems) {
        Path p = path.normalize();
        int target = -1;
        for (int i = 0; i < p.getNameCount(); i++) {
            if (p.getName(i).toString().equals("target")) {
                target = i;
                break;
            }
        }
        Path mustExist = target > 0 ? p.getRoot().resolve(p.subpath(0, target)).resolve("pom.xml") : p;
        if (!Files.exists(mustExist)) {
            problems.add(what + ": " + path + " does not exist");
        }
    }
}
