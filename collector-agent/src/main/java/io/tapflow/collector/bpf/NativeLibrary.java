package io.tapflow.collector.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Loads {@code libtapflow_collector.so}: from {@code -Dtapflow.collector.native=<path>} when set, else extracted
 * from this jar ({@value #RESOURCE}) to a temporary file, since a library inside a jar cannot be mapped.
 */
final class NativeLibrary {

    static final String RESOURCE = "/native/linux-x86_64/libtapflow_collector.so";
    static final String PATH_PROPERTY = "tapflow.collector.native";

    private static boolean loaded;

    private NativeLibrary() {}

    static synchronized void load() {
        if (loaded) {
            return;
        }
        String explicit = System.getProperty(PATH_PROPERTY);
        if (explicit != null) {
            System.load(Path.of(explicit).toAbsolutePath().toString());
        } else {
            System.load(extract().toString());
        }
        loaded = true;
    }

    private static Path extract() {
        if (!"Linux".equals(System.getProperty("os.name")) || !"amd64".equals(System.getProperty("os.arch"))) {
            throw new UnsupportedOperationException(
                    "the eBPF collector runs on linux-x86_64 only, this is "
                            + System.getProperty("os.name") + "/" + System.getProperty("os.arch"));
        }
        try (InputStream in = NativeLibrary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        RESOURCE + " is not on the class path: the collector-agent build did not run bpf/ make");
            }
            Path file = Files.createTempFile("libtapflow_collector", ".so");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("could not extract " + RESOURCE, e);
        }
    }
}
