package io.tapflow.schema.clickhouse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Finds the DDL files: every {@code <dir>/NNN_<table>.sql} resource on the classpath, in directories or jars, in
 * version order. No index to maintain — dropping a file into {@code schemas/clickhouse/} is enough. Files in
 * {@code <dir>} that are not {@code *.sql} (a README) are ignored; a {@code .sql} whose name breaks the convention,
 * or two files with the same version, are errors.
 */
public final class MigrationSource {

    /** Where schemas/clickhouse/ lands on the classpath. */
    public static final String DEFAULT_DIR = "clickhouse";

    private MigrationSource() {}

    /** The DDL shipped with tapflow-schemas. */
    public static List<MigrationFile> tapflowDdl() {
        return fromClasspath(DEFAULT_DIR, MigrationSource.class.getClassLoader());
    }

    /**
     * All {@code dir/*.sql} resources visible to {@code loader}, parsed and sorted by version. An absent directory
     * gives an empty list.
     */
    public static List<MigrationFile> fromClasspath(String dir, ClassLoader loader) {
        String prefix = dir.endsWith("/") ? dir : dir + "/";
        Map<String, String> texts = new TreeMap<>();
        try {
            Enumeration<URL> roots = loader.getResources(prefix);
            for (URL root : Collections.list(roots)) {
                collect(root, prefix, texts);
            }
            // a jar built without directory entries hides its directories from getResources: scan our own jar too
            CodeSource cs = MigrationSource.class.getProtectionDomain().getCodeSource();
            if (cs != null && cs.getLocation() != null && cs.getLocation().getPath().endsWith(".jar")
                    && loader.getResource(prefix) == null) {
                try (JarFile jar = new JarFile(Path.of(cs.getLocation().toURI()).toFile())) {
                    collectJar(jar, prefix, texts);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list classpath directory " + prefix, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the tapflow-schemas jar", e);
        }
        return parse(texts);
    }

    /** All {@code *.sql} files directly in a file-system directory (for DDL outside the classpath). */
    public static List<MigrationFile> fromDirectory(Path dir) {
        Map<String, String> texts = new TreeMap<>();
        try {
            collectDir(dir, texts);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read DDL directory " + dir, e);
        }
        return parse(texts);
    }

    private static List<MigrationFile> parse(Map<String, String> texts) {
        List<MigrationFile> files = new ArrayList<>();
        for (Map.Entry<String, String> e : texts.entrySet()) {
            files.add(MigrationFile.parse(e.getKey(), e.getValue()));
        }
        files.sort(Comparator.comparingInt(MigrationFile::version));
        Map<Integer, String> byVersion = new HashMap<>();
        for (MigrationFile f : files) {
            String other = byVersion.putIfAbsent(f.version(), f.fileName());
            if (other != null) {
                throw new DdlTemplateException("two DDL files with version " + String.format("%03d", f.version())
                        + ": " + other + " and " + f.fileName());
            }
        }
        return List.copyOf(files);
    }

    private static void collect(URL root, String prefix, Map<String, String> texts) throws IOException {
        switch (root.getProtocol()) {
            case "file":
                try {
                    collectDir(Path.of(root.toURI()), texts);
                } catch (URISyntaxException e) {
                    throw new IOException("bad classpath URL " + root, e);
                }
                break;
            case "jar":
                JarURLConnection connection = (JarURLConnection) root.openConnection();
                connection.setUseCaches(false);
                try (JarFile jar = connection.getJarFile()) {
                    collectJar(jar, prefix, texts);
                }
                break;
            default:
                throw new IOException("cannot list DDL files at " + root + " (only directories and jars)");
        }
    }

    private static void collectDir(Path dir, Map<String, String> texts) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.endsWith(".sql") && Files.isRegularFile(p)) {
                    putFirst(texts, name, Files.readString(p, StandardCharsets.UTF_8));
                }
            }
        }
    }

    private static void collectJar(JarFile jar, String prefix, Map<String, String> texts) throws IOException {
        for (JarEntry entry : Collections.list(jar.entries())) {
            String name = entry.getName();
            if (entry.isDirectory() || !name.startsWith(prefix) || !name.endsWith(".sql")) {
                continue;
            }
            String rest = name.substring(prefix.length());
            if (rest.contains("/")) {
                continue; // only the directory itself, not subdirectories
            }
            try (InputStream in = jar.getInputStream(entry)) {
                putFirst(texts, rest, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
    }

    /** The first classpath entry wins, like {@link ClassLoader#getResource}. */
    private static void putFirst(Map<String, String> texts, String name, String text) {
        texts.putIfAbsent(name, text);
    }
}
