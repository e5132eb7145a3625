package io.tapflow.flowagg.chain;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Two "hosts" made by the test: two network namespaces with their own loopback, joined by a veth pair (the wire
 * between them). Traffic between them crosses a real link with its own addresses, as between two machines; nothing
 * touches the host's interfaces, and deleting the namespaces (close) deletes the veth too. Processes are started
 * inside a host with {@code ip netns exec}, which execs (same pid), so the pid the test sees is the pid the events
 * carry.
 */
public final class TwoHosts implements AutoCloseable {

    public final Host one;
    public final Host two;

    /** One namespace: its name, its address on the wire and the inode events report as their netns. */
    public record Host(String namespace, String ip, long netnsInode) {

        /** {@code command} to run inside this host. */
        public List<String> run(List<String> command) {
            List<String> wrapped = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
            wrapped.addAll(command);
            return wrapped;
        }
    }

    private TwoHosts(Host one, Host two) {
        this.one = one;
        this.two = two;
    }

    public static TwoHosts create() throws IOException, InterruptedException {
        String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(100_000, 999_999));
        int net = ThreadLocalRandom.current().nextInt(1, 250);
        String ns1 = "tf-h1-" + suffix;
        String ns2 = "tf-h2-" + suffix;
        String veth1 = "tfh1" + suffix;
        String veth2 = "tfh2" + suffix;
        List<String> created = new ArrayList<>();
        try {
            for (String ns : List.of(ns1, ns2)) {
                ip("netns", "add", ns);
                created.add(ns);
            }
            ip("link", "add", veth1, "type", "veth", "peer", "name", veth2);
            ip("link", "set", veth1, "netns", ns1);
            ip("link", "set", veth2, "netns", ns2);
            String ip1 = "10.252." + net + ".1";
            String ip2 = "10.252." + net + ".2";
            ip("-n", ns1, "addr", "add", ip1 + "/30", "dev", veth1);
            ip("-n", ns2, "addr", "add", ip2 + "/30", "dev", veth2);
            for (String[] nsDev : new String[][] {{ns1, veth1}, {ns2, veth2}, {ns1, "lo"}, {ns2, "lo"}}) {
                ip("-n", nsDev[0], "link", "set", nsDev[1], "up");
            }
            return new TwoHosts(new Host(ns1, ip1, inode(ns1)), new Host(ns2, ip2, inode(ns2)));
        } catch (IOException | RuntimeException e) {
            created.forEach(TwoHosts::delete);
            throw e;
        }
    }

    @Override
    public void close() {
        delete(one.namespace);
        delete(two.namespace);
    }

    private static long inode(String ns) throws IOException {
        return (Long) Files.getAttribute(Path.of("/run/netns", ns), "unix:ino");
    }

    private static void delete(String ns) {
        try {
            ip("netns", "del", ns);
        } catch (IOException | RuntimeException e) {
            System.err.println("could not delete namespace " + ns + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " timed out");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out.trim());
        }
    }
}
