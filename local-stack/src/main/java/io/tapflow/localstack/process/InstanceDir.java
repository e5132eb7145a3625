package io.tapflow.localstack.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The directory one server instance owns: its config, data and logs live below it and nowhere else. A temporary
 * instance directory is deleted by {@link #close()}; a given one (e.g. the demo's data dir) is kept.
 */
public final class InstanceDir implements AutoCloseable {

    private final Path root;
    private final boolean deleteOnClose;

    private InstanceDir(Path root, boolean deleteOnClose) {
        this.root = root;
        this.deleteOnClose = deleteOnClose;
    }

    /** A fresh temporary directory named {@code tapflow-<name>-*}, deleted on close. */
    public static InstanceDir temporary(String name) {
        try {
            return new InstanceDir(Files.createTempDirectory("tapflow-" + name + "-").toAbsolutePath(), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for " + name, e);
        }
    }

    /** {@code dir} (created if missing), kept on close so a restarted server finds its data again. */
    public static InstanceDir kept(Path dir) {
        try {
            return new InstanceDir(Files.createDirectories(dir).toAbsolutePath(), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create instance directory " + dir, e);
        }
    }

    public Path root() {
        return root;
    }

    /** {@code root/relative}, created as a directory if missing. */
    public Path dir(String relative) {
        try {
            return Files.createDirectories(root.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + root.resolve(relative), e);
        }
    }

    /** Writes {@code content} to {@code root/relative} (replacing it) and returns the path. */
    public Path write(String relative, String content) {
        Path file = root.resolve(relative);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public boolean deletesOnClose() {
        return deleteOnClose;
    }

    @Override
    public void close() {
        if (deleteOnClose) {
            deleteRecursively(root);
        }
    }

    /** Deletes a directory tree; missing files are fine, anything else that cannot be deleted is an error. */
    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                    if (exc instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw exc;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
