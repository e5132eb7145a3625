package io.tapflow.demo;

import io.tapflow.localstack.process.Binaries;
import io.tapflow.localstack.process.HealthCheck;
import io.tapflow.localstack.process.ManagedProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Records the demo's live traffic with tcpdump on the loopback interface (the demo's ports only, whole packets), the
 * capture the demo replays where eBPF is not available. What the traffic generator counted while recording goes
 * into {@link #expectedFile} beside it.
 */
final class PacketRecorder implements AutoCloseable {

    private final ManagedProcess tcpdump;

    private PacketRecorder(ManagedProcess tcpdump) {
        this.tcpdump = tcpdump;
    }

    static PacketRecorder start(Path capture, Collection<Integer> ports, Path workDir) throws IOException {
        Path logs = Files.createDirectories(workDir.resolve("tcpdump"));
        Files.createDirectories(capture.toAbsolutePath().getParent());
        List<String> filter = new ArrayList<>();
        for (int port : ports) {
            filter.add((filter.isEmpty() ? "" : "or ") + "tcp port " + port);
        }
        List<String> args = new ArrayList<>(List.of("-i", "lo", "-s", "0", "-U", "-n", "-w",
                capture.toAbsolutePath().toString()));
        args.add(String.join(" ", filter));
        return new PacketRecorder(ManagedProcess.builder("tcpdump")
                .command(Binaries.locate("tcpdump", "Debian package tcpdump"), args)
                .logDir(logs).startTimeout(Duration.ofSeconds(20))
                .healthCheck(new HealthCheck() {
                    @Override
                    public boolean ready() throws IOException {
                        return Files.readString(logs.resolve("stderr.log")).contains("listening on");
                    }

                    @Override
                    public String describe() {
                        return "'listening on lo' from tcpdump";
                    }
                }).start());
    }

    /** {@code demo.pcap} → {@code demo.expected.properties}. */
    static Path expectedFile(Path capture) {
        String name = capture.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return capture.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".expected.properties");
    }

    /** Stops tcpdump with SIGTERM: it writes out what it buffered. */
    @Override
    public void close() {
        tcpdump.close();
    }
}
