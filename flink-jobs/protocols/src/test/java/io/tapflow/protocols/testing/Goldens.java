package io.tapflow.protocols.testing;

import io.tapflow.protocols.ParserOptions;
import io.tapflow.protocols.ProtocolParser;
import io.tapflow.protocols.ProtocolRegistry;
import io.tapflow.schema.L7Protocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The golden captures: {@code src/test/resources/golden/<protocol>/NN-<op>[-variant].pcap}, each with its
 * {@code .expected} rendering beside it, decoded by the registry's parser of {@code <protocol>}.
 */
public final class Goldens {

    /** What goldens are decoded with: bodies and events kept, so their decoding is checked too. */
    public static final ParserOptions OPTIONS =
            new ParserOptions(256 * 1024, 256, 64, List.of("user-agent"), "x-request-id");

    /** Parsers are stateless, so every golden shares one registry. */
    private static final ProtocolRegistry REGISTRY = ProtocolRegistry.defaults(OPTIONS);

    /** One capture file. */
    public record Golden(String protocol, String name, Path pcap) {

        public Path expected() {
            return pcap.resolveSibling(name + ".expected");
        }

        public ProtocolParser parser() {
            L7Protocol p = L7Protocol.valueOf(protocol.toUpperCase(Locale.ROOT));
            return REGISTRY.parser(p)
                    .orElseThrow(() -> new IllegalStateException("golden/" + protocol + "/ has captures but no "
                            + p + " parser is registered in ProtocolRegistry.defaults"));
        }

        public Capture capture() {
            try {
                return Capture.read(pcap);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String toString() {
            return protocol + "/" + name;
        }
    }

    private Goldens() {
    }

    /** Every golden capture on the test class path, sorted. */
    public static Stream<Golden> all() {
        Path root = root();
        if (root == null) {
            return Stream.empty();
        }
        try (Stream<Path> files = Files.walk(root, 2)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".pcap"))
                    .sorted()
                    .map(p -> {
                        String file = p.getFileName().toString();
                        return new Golden(p.getParent().getFileName().toString(),
                                file.substring(0, file.length() - ".pcap".length()), p);
                    })
                    .toList()
                    .stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Golden captures of one protocol (lower-case directory name). */
    public static Stream<Golden> of(String protocol) {
        return all().filter(g -> g.protocol().equals(protocol));
    }

    /**
     * A golden capture by name (e.g. {@code "http1/07-sse"}) from the class path, also when this class is used from
     * the test-jar by another module's tests: copied to a temporary file the caller deletes.
     */
    public static Path pcapFile(String name) {
        String resource = "/golden/" + name + ".pcap";
        try (InputStream in = Goldens.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no golden capture " + resource + " on the test class path");
            }
            Path file = Files.createTempFile("golden-", ".pcap");
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A golden capture by name, read (see {@link #pcapFile}). */
    public static Capture capture(String name) {
        Path file = pcapFile(name);
        try {
            return Capture.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file; the OS cleans up
            }
        }
    }

    private static Path root() {
        URL url = Goldens.class.getResource("/golden");
        if (url == null) {
            return null;
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
