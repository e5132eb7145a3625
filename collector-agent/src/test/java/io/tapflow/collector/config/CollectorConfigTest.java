package io.tapflow.collector.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapflow.collector.source.CaptureFilter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CollectorConfigTest {

    @TempDir
    Path dir;

    @Test
    void flagsOverrideTheFileWhichOverridesDefaults() throws Exception {
        Path file = Files.writeString(dir.resolve("c.properties"), """
                # a comment
                kafka-bootstrap=kafka-1:9092
                payload-bytes=2048
                deny-ports=22, 2379
                kafka.security.protocol=SSL
                """);
        CollectorConfig config = CollectorConfig.parse(new String[] {
                "--config", file.toString(), "--payload-bytes=512", "--replay-shift-to-now", "--queue-capacity", "9"});
        assertThat(config.string(CollectorOption.KAFKA_BOOTSTRAP)).isEqualTo("kafka-1:9092");
        assertThat(config.integer(CollectorOption.QUEUE_CAPACITY, 1, 100)).isEqualTo(9);
        assertThat(config.bool(CollectorOption.REPLAY_SHIFT_TO_NOW)).isTrue();
        assertThat(config.string(CollectorOption.METRICS_PORT)).isEqualTo("9464");
        CaptureFilter filter = config.captureFilter();
        assertThat(filter.payloadBytes()).isEqualTo(512);
        assertThat(filter.denyPorts()).containsExactlyInAnyOrder(22, 2379);
        assertThat(config.kafkaProperties()).isEqualTo(Map.of("security.protocol", "SSL"));
    }

    @Test
    void reloadTakesTheFileButKeepsWhatFlagsSet() throws Exception {
        Path file = Files.writeString(dir.resolve("c.properties"), "deny-ports=22\n");
        CollectorConfig config = CollectorConfig.parse(new String[] {"--config", file.toString(),
                "--payload-bytes", "256"});
        CaptureFilter reloaded = config.reloadedFilter(Map.of("deny-ports", "80,443", "payload-bytes", "4096",
                "sample-one-in", "4"));
        assertThat(reloaded.denyPorts()).isEqualTo(Set.of(80, 443));
        assertThat(reloaded.payloadBytes()).isEqualTo(256);
        assertThat(reloaded.sampleOneIn()).isEqualTo(4);
        // a key removed from the file goes back to its default
        assertThat(config.reloadedFilter(Map.of()).denyPorts()).isEmpty();
    }

    @Test
    void fileChangesAreSeenByTheReloader() throws Exception {
        Path file = Files.writeString(dir.resolve("c.properties"), "deny-ports=22\n");
        CollectorConfig config = CollectorConfig.parse(new String[] {"--config", file.toString()});
        FilterReloader reloader = new FilterReloader(config, config.captureFilter(), 100);
        assertThat(reloader.poll()).isEmpty();
        Files.writeString(file, "deny-ports=22,80\n");
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        Thread.sleep(150);
        assertThat(reloader.poll()).get().extracting(CaptureFilter::denyPorts).isEqualTo(Set.of(22, 80));
        Files.writeString(file, "deny-ports=banana\n");
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 9000));
        Thread.sleep(150);
        assertThat(reloader.poll()).isEmpty(); // invalid: the running filter stays
        assertThat(reloader.current().denyPorts()).isEqualTo(Set.of(22, 80));
    }

    @Test
    void problemsAreOneLineNamingTheOption() {
        assertThatThrownBy(() -> CollectorConfig.parse(new String[] {"--deny-ports", "22,x"}))
                .isInstanceOf(ConfigException.class).hasMessage("deny-ports must be a whole number, was 'x'");
        assertThatThrownBy(() -> CollectorConfig.parse(new String[] {"--allow-ports", "70000"}))
                .hasMessage("allow-ports must be within 1..65535, was 70000");
        assertThatThrownBy(() -> CollectorConfig.parse(new String[] {"--nope", "1"}))
                .hasMessage("unknown option --nope (see --help)");
        assertThatThrownBy(() -> CollectorConfig.parse(new String[] {"--source", "magic"}))
                .hasMessage("source must be ebpf or replay, was 'magic'");
        assertThatThrownBy(() -> CollectorConfig.parse(new String[] {"--schema-registry-url", "localhost:8081"}))
                .hasMessageStartingWith("schema-registry-url must be an http(s) URL");
        assertThatThrownBy(() -> CollectorConfig.parse(new String[] {"--config", dir.resolve("none").toString()}))
                .hasMessageStartingWith("cannot read config file");
        assertThatThrownBy(() -> CollectorConfig.parse(new String[] {"--replay-speed"}))
                .hasMessage("--replay-speed needs a value");
    }

    @Test
    void helpListsEveryOption() {
        String help = CollectorConfig.helpText();
        for (CollectorOption option : CollectorOption.values()) {
            assertThat(help).contains("--" + option.key() + " ");
        }
    }
}
