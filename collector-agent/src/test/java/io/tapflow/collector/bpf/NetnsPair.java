package io.tapflow.collector.bpf;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Two network namespaces joined by a veth pair, created by the test and deleted after it (deleting a namespace
 * deletes its veth end). Never touches the host's interfaces. Loss (this kernel has no sch_netem) is made with
 * iproute2 alone by removing B's address for a while: segments still leave A successfully and are dropped on
 * arrival, so A's TCP sees real in-flight loss and retransmits. (Taking the link down instead makes A's sends fail
 * locally, which TCP does not count as retransmissions.)
 */
final class NetnsPair implements AutoCloseable {

    final String nsA;
    final String nsB;
    final String ipA;
    final String ipB;
    private final String vethB;

    private NetnsPair(String nsA, String nsB, String ipA, String ipB, String vethB) {
        this.nsA = nsA;
        this.nsB = nsB;
        this.ipA = ipA;
        this.ipB = ipB;
        this.vethB = vethB;
    }

    static NetnsPair create() throws IOException, InterruptedException {
        int id = ThreadLocalRandom.current().nextInt(1, 250);
        String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(100_000, 999_999));
        String nsA = "tf-it-a" + suffix;
        String nsB = "tf-it-b" + suffix;
        String vethA = "tfa" + suffix;
        String vethB = "tfb" + suffix;
        String ipA = "10.251." + id + ".1";
        String ipB = "10.251." + id + ".2";
        NetnsPair pair = new NetnsPair(nsA, nsB, ipA, ipB, vethB);
        try {
            ip("netns", "add", nsA);
            ip("netns", "add", nsB);
            ip("link", "add", vethA, "type", "veth", "peer", "name", vethB);
            ip("link", "set", vethA, "netns", nsA);
            ip("link", "set", vethB, "netns", nsB);
            ip("-n", nsA, "addr", "add", ipA + "/30", "dev", vethA);
            ip("-n", nsB, "addr", "add", ipB + "/30", "dev", vethB);
            for (String[] nsDev : new String[][] {{nsA, vethA}, {nsB, vethB}, {nsA, "lo"}, {nsB, "lo"}}) {
                ip("-n", nsDev[0], "link", "set", nsDev[1], "up");
            }
        } catch (IOException | RuntimeException e) {
            pair.close();
            throw e;
        }
        return pair;
    }

    /** Makes B drop everything sent to it (its address removed), or receive again. */
    void dropAtB(boolean drop) throws IOException, InterruptedException {
        ip("-n", nsB, "addr", drop ? "del" : "add", ipB + "/30", "dev", vethB);
    }

    /** {@code command} run inside namespace {@code ns}. */
    static List<String> in(String ns, List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        wrapped.addAll(command);
        return wrapped;
    }

    @Override
    public void close() {
        for (String ns : List.of(nsA, nsB)) {
            try {
                ip("netns", "del", ns);
            } catch (IOException | RuntimeException e) {
                // may not exist when creation failed half-way
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        var result = ChildProcesses.run(command);
        if (result.exitCode() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + result.stdout());
        }
    }
}
