package io.tapflow.localstack.process;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Locates server binaries on PATH or in the places Debian packages put them. */
public final class Binaries {

    /** Searched after PATH: a non-login shell of a non-root user often lacks the sbin directories. */
    static final List<Path> KNOWN_DIRS =
            List.of(Path.of("/usr/bin"), Path.of("/usr/sbin"), Path.of("/usr/local/bin"), Path.of("/usr/local/sbin"),
                    Path.of("/bin"), Path.of("/sbin"));

    private Binaries() {}

    /**
     * Finds the executable {@code name} on PATH, then in {@link #KNOWN_DIRS}.
     *
     * @param installedBy what {@code ./tapflow setup} installs it from, e.g. "Debian package clickhouse-server"
     * @throws MissingBinaryException naming the setup step when it is nowhere
     */
    public static Path locate(String name, String installedBy) {
        if (name.contains("/")) {
            Path p = Path.of(name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
            throw missing(name, installedBy, List.of());
        }
        Set<Path> dirs = new LinkedHashSet<>();
        String pathEnv = System.getenv("PATH");
        if (pathEnv != null) {
            for (String d : pathEnv.split(File.pathSeparator)) {
                if (!d.isBlank()) {
                    dirs.add(Path.of(d));
                }
            }
        }
        dirs.addAll(KNOWN_DIRS);
        for (Path dir : dirs) {
            Path candidate = dir.resolve(name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw missing(name, installedBy, new ArrayList<>(dirs));
    }

    private static MissingBinaryException missing(String name, String installedBy, List<Path> searched) {
        return new MissingBinaryException(name + " not found; run ./tapflow setup (installs " + installedBy + ")"
                + (searched.isEmpty() ? "" : ". Searched: " + searched));
    }
}
