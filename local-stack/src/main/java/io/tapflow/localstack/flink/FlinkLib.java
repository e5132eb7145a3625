package io.tapflow.localstack.flink;

import io.tapflow.localstack.process.MissingBinaryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Flink runtime jars the local cluster runs on: what a stock distribution's {@code lib/} holds, resolved from
 * Maven by the {@code local-stack/flink-lib} module into its {@code target/lib} (Flink's {@code flink-dist} jar is
 * not published to Maven Central). Found, in order, at {@code -Dtapflow.flink.lib}, {@code $TAPFLOW_FLINK_LIB}, or
 * {@code local-stack/flink-lib/target/lib} in the working directory or one of its parents (the repository root
 * from any module).
 */
public final class FlinkLib {

    public static final String PROPERTY = "tapflow.flink.lib";
    public static final String ENV = "TAPFLOW_FLINK_LIB";
    static final String IN_REPOSITORY = "local-stack/flink-lib/target/lib";

    private FlinkLib() {
    }

    /** The lib directory, checked to hold flink-runtime and flink-runtime-web. */
    public static Path locate() {
        List<Path> tried = new ArrayList<>();
        String explicit = System.getProperty(PROPERTY, System.getenv(ENV));
        if (explicit != null && !explicit.isBlank()) {
            Path dir = Path.of(explicit).toAbsolutePath();
            if (isFlinkLib(dir)) {
                return dir;
            }
            throw new MissingBinaryException("no Flink runtime jars in " + dir + " (from -D" + PROPERTY + " or $"
                    + ENV + ")");
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve(IN_REPOSITORY);
            tried.add(candidate);
            if (isFlinkLib(candidate)) {
                return candidate;
            }
        }
        throw new MissingBinaryException("Flink runtime jars not found; run ./tapflow setup (or mvn -pl "
                + "local-stack/flink-lib package), or point -D" + PROPERTY + " / $" + ENV + " at a Flink lib/ "
                + "directory. Searched: " + tried);
    }

    /** The class path of a JVM on this lib: every jar in it (the JVM expands the wildcard). */
    public static String classPath(Path lib) {
        return lib.resolve("*").toString();
    }

    static boolean isFlinkLib(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> jars = Files.list(dir)) {
            List<String> names = jars.map(p -> p.getFileName().toString()).toList();
            return names.stream().anyMatch(n -> n.startsWith("flink-runtime-2") || n.startsWith("flink-dist"))
                    && names.stream().anyMatch(n -> n.startsWith("flink-runtime-web") || n.startsWith("flink-dist"));
        } catch (IOException e) {
            return false;
        }
    }
}
