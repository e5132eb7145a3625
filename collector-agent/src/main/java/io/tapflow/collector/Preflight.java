package io.tapflow.collector;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the eBPF source needs before anything is loaded, checked up front so a missing piece is one clear line and a
 * distinct exit code instead of a libbpf error: privileges (root, or CAP_BPF + CAP_PERFMON in the effective set,
 * read from {@code CapEff} of /proc/self/status), kernel BTF (CO-RE relocations), and tracefs (tracepoint attach;
 * mounted here when absent, as a fresh machine may not have it).
 */
public final class Preflight {

    private static final Logger LOG = LoggerFactory.getLogger(Preflight.class);

    public static final int EXIT_NOT_PRIVILEGED = 3;
    public static final int EXIT_NO_BTF = 4;
    public static final int EXIT_NO_TRACEFS = 5;

    static final int CAP_SYS_ADMIN = 21;
    static final int CAP_PERFMON = 38;
    static final int CAP_BPF = 39;

    /** A failed check: the exit code and the one-line reason. */
    public record Failure(int exitCode, String reason) {}

    private final Path statusFile;
    private final Path btf;
    private final Path tracefs;

    public Preflight(Path statusFile, Path btf, Path tracefs) {
        this.statusFile = statusFile;
        this.btf = btf;
        this.tracefs = tracefs;
    }

    /** Runs the checks in order; the first failure, or empty when the eBPF source may start. */
    public Optional<Failure> check() {
        Optional<Failure> failure = privileges();
        if (failure.isEmpty()) {
            failure = btf();
        }
        if (failure.isEmpty()) {
            failure = tracefs();
        }
        return failure;
    }

    Optional<Failure> privileges() {
        String capEff;
        try {
            capEff = Files.readAllLines(statusFile).stream().filter(l -> l.startsWith("CapEff:"))
                    .map(l -> l.substring("CapEff:".length()).trim()).findFirst().orElse(null);
        } catch (IOException e) {
            return Optional.of(new Failure(EXIT_NOT_PRIVILEGED, "cannot read capabilities from " + statusFile + ": "
                    + e.getMessage()));
        }
        if (capEff == null) {
            return Optional.of(new Failure(EXIT_NOT_PRIVILEGED, "no CapEff line in " + statusFile));
        }
        long caps;
        try {
            caps = Long.parseUnsignedLong(capEff, 16);
        } catch (NumberFormatException e) {
            return Optional.of(new Failure(EXIT_NOT_PRIVILEGED, "unreadable CapEff '" + capEff + "' in " + statusFile));
        }
        boolean bpfAndPerfmon = has(caps, CAP_BPF) && has(caps, CAP_PERFMON);
        // before 5.8 the two did not exist and CAP_SYS_ADMIN covered both
        if (!bpfAndPerfmon && !has(caps, CAP_SYS_ADMIN)) {
            return Optional.of(new Failure(EXIT_NOT_PRIVILEGED, "not privileged: the eBPF collector needs root or"
                    + " CAP_BPF+CAP_PERFMON (effective capabilities 0x" + capEff + ")"));
        }
        return Optional.empty();
    }

    Optional<Failure> btf() {
        if (!Files.isReadable(btf)) {
            return Optional.of(new Failure(EXIT_NO_BTF, "no kernel BTF at " + btf + ": the eBPF probes need a kernel"
                    + " built with CONFIG_DEBUG_INFO_BTF=y"));
        }
        return Optional.empty();
    }

    Optional<Failure> tracefs() {
        if (Files.isDirectory(tracefs.resolve("events"))) {
            return Optional.empty();
        }
        try {
            Process mount = new ProcessBuilder("mount", "-t", "tracefs", "tracefs", tracefs.toString())
                    .redirectErrorStream(true).start();
            // one line: the refusal is a single line whatever mount printed
            String output = new String(mount.getInputStream().readAllBytes()).trim().replaceAll("\\s*\\n\\s*", "; ");
            if (!mount.waitFor(10, TimeUnit.SECONDS) || mount.exitValue() != 0 || !Files.isDirectory(
                    tracefs.resolve("events"))) {
                return Optional.of(new Failure(EXIT_NO_TRACEFS, "tracefs is not mounted at " + tracefs
                        + " and mounting it failed: " + (output.isEmpty() ? "exit " + mount.exitValue() : output)));
            }
            LOG.info("mounted tracefs at {} (it was not mounted; tracepoints need it)", tracefs);
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(new Failure(EXIT_NO_TRACEFS, "tracefs is not mounted at " + tracefs
                    + " and mount could not run: " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of(new Failure(EXIT_NO_TRACEFS, "interrupted while mounting tracefs"));
        }
    }

    private static boolean has(long caps, int capability) {
        return (caps & (1L << capability)) != 0;
    }
}
