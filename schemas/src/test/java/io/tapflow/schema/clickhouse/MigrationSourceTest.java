package io.tapflow.schema.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationSourceTest {

    @TempDir
    Path tmp;

    @Test
    void findsSqlFilesInAClasspathDirectoryInVersionOrder() {
        assertThat(MigrationSource.fromClasspath("ddl-fixture", getClass().getClassLoader()))
                .extracting(MigrationFile::fileName)
                .containsExactly("001_alpha.sql", "002_beta.sql");
    }

    @Test
    void absentDirectoryIsEmpty() {
        assertThat(MigrationSource.fromClasspath("no-such-ddl-dir", getClass().getClassLoader())).isEmpty();
    }

    @Test
    void findsSqlFilesInAJar() throws Exception {
        Path jar = tmp.resolve("ddl.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("ddl/"));
            put(out, "ddl/010_gamma.sql", "CREATE TABLE IF NOT EXISTS {{db}}.gamma (a UInt8) ENGINE = Log");
            put(out, "ddl/002_beta.sql", "CREATE TABLE IF NOT EXISTS {{db}}.beta (a UInt8) ENGINE = Log");
            put(out, "ddl/sub/003_nested.sql", "not read");
            put(out, "other/004_other.sql", "not read");
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            assertThat(MigrationSource.fromClasspath("ddl", loader))
                    .extracting(MigrationFile::version, MigrationFile::table)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(2, "beta"),
                            org.assertj.core.groups.Tuple.tuple(10, "gamma"));
        }
    }

    @Test
    void duplicateVersionsAreAnError() throws Exception {
        Files.writeString(tmp.resolve("001_a.sql"), "CREATE TABLE IF NOT EXISTS {{db}}.a (x UInt8) ENGINE = Log");
        Files.writeString(tmp.resolve("001_b.sql"), "CREATE TABLE IF NOT EXISTS {{db}}.b (x UInt8) ENGINE = Log");
        assertThatThrownBy(() -> MigrationSource.fromDirectory(tmp))
                .isInstanceOf(DdlTemplateException.class)
                .hasMessageContaining("two DDL files with version 001: 001_a.sql and 001_b.sql");
    }

    @Test
    void badlyNamedSqlFileIsAnError() throws Exception {
        Files.writeString(tmp.resolve("create_a.sql"), "CREATE TABLE IF NOT EXISTS {{db}}.a (x UInt8) ENGINE = Log");
        assertThatThrownBy(() -> MigrationSource.fromDirectory(tmp)).hasMessageContaining("create_a.sql");
    }

    private static void put(JarOutputStream out, String name, String text) throws Exception {
        out.putNextEntry(new JarEntry(name));
        OutputStream o = out;
        o.write(text.getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
    }
}
