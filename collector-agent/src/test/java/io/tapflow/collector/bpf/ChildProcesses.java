package io.tapflow.collector.bpf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Short-lived real client processes (curl, a child JVM running a test main), run to completion. */
final class ChildProcesses {

    /** A finished process: its pid (the tgid its events carry), exit code and stdout. */
    record Finished(long pid, int exitCode, String stdout) {}

    private ChildProcesses() {}

    static Finished run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        long pid = process.pid();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("timed out: " + command);
        }
        return new Finished(pid, process.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** A command line that runs {@code mainClass} of the test class path in a new JVM (a different pid). */
    static List<String> javaMain(Class<?> mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xshare:auto");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return command;
    }

    static Process startJavaMain(Class<?> mainClass, String... args) throws IOException {
        return new ProcessBuilder(javaMain(mainClass, args)).redirectErrorStream(true).start();
    }
}
