package io.tapflow.collector.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.collector.source.AgentIdentity;
import io.tapflow.collector.source.CaptureFilter;
import io.tapflow.schema.Direction;
import io.tapflow.schema.IpFamily;
import io.tapflow.schema.L4Protocol;
import io.tapflow.schema.Role;
import io.tapflow.schema.SocketDataEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Live capture of real HTTP on loopback: nginx serves, curl (IPv4 and IPv6) and the JDK HttpClient in a child JVM
 * ask. Each request and response is seen on both ends with the right pids, comm, tuples, roles and directions, and
 * the sender's tcp_seq equals the receiver's for the same bytes.
 */
class LoopbackHttpCaptureITCase {

    private static final AgentIdentity AGENT = new AgentIdentity("it-agent", "it-host");

    private static NginxServer nginx;
    private static BpfEventSource source;

    @BeforeAll
    static void start() throws Exception {
        nginx = NginxServer.start();
        CaptureFilter onlyNginx = new CaptureFilter(
                Set.of(nginx.port), Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), 1024, 1);
        source = BpfEventSource.open(AGENT, onlyNginx, BpfSettings.defaults().withPollTimeout(Duration.ofMillis(50)));
    }

    @AfterAll
    static void stop() throws Exception {
        if (source != null) {
            source.close();
        }
        if (nginx != null) {
            nginx.close();
        }
    }

    @Test
    void curlOverIpv4() throws Exception {
        String path = "/curl-v4";
        var curl = ChildProcesses.run(List.of(NginxServer.curl(), "-s", "http://127.0.0.1:" + nginx.port + path));

        assertExchange(curl, path, new Endpoint("127.0.0.1", IpFamily.IPV4), Optional.of("curl"));
    }

    @Test
    void curlOverIpv6() throws Exception {
        String path = "/curl-v6";
        var curl = ChildProcesses.run(List.of(NginxServer.curl(), "-s", "-g", "http://[::1]:" + nginx.port + path));

        assertExchange(curl, path, new Endpoint("::1", IpFamily.IPV6), Optional.of("curl"));
    }

    @Test
    void jdkHttpClientInAChildJvm() throws Exception {
        String path = "/jdk-client";
        var java = ChildProcesses.run(
                ChildProcesses.javaMain(HttpGetMain.class, "http://127.0.0.1:" + nginx.port + path));

        // comm is the JVM thread's name (e.g. HttpClient-1-Wo...), so only the pid identifies the client. The JDK
        // opens dual-stack AF_INET6 sockets: its end is IPv4-mapped IPv6, nginx's end plain IPv4.
        assertExchange(java, path, new Endpoint("::ffff:127.0.0.1", IpFamily.IPV6),
                new Endpoint("127.0.0.1", IpFamily.IPV4), Optional.empty());
    }

    /** An address as one end's socket reports it (both of its addresses have this form). */
    private record Endpoint(String ip, IpFamily family) {}

    private static void assertExchange(
            ChildProcesses.Finished client, String path, Endpoint both, Optional<String> clientComm) {
        assertExchange(client, path, both, both, clientComm);
    }

    private static void assertExchange(ChildProcesses.Finished client, String path, Endpoint clientEnd,
            Endpoint serverEnd, Optional<String> clientComm) {
        assertThat(client.exitCode()).as(client.stdout()).isZero();
        assertThat(client.stdout()).contains(NginxServer.BODY.trim());
        int clientPid = (int) client.pid();
        int serverPid = (int) nginx.pid();
        Predicate<SocketDataEvent> clientRequest =
                e -> e.getPid() == clientPid && e.getDirection() == Direction.EGRESS && text(e).startsWith("GET " + path);
        Predicate<SocketDataEvent> serverRequest =
                e -> e.getPid() == serverPid && e.getDirection() == Direction.INGRESS && text(e).startsWith("GET " + path);
        CapturedEvents events = new CapturedEvents();
        boolean seen = events.pollUntil(source, ev -> {
            List<SocketDataEvent> requests = ev.data(clientRequest);
            List<SocketDataEvent> served = ev.data(serverRequest);
            return !requests.isEmpty() && !served.isEmpty()
                    && !ev.data(e -> e.getSocketId() == requests.get(0).getSocketId()
                            && e.getDirection() == Direction.INGRESS).isEmpty()
                    && !ev.data(e -> e.getSocketId() == served.get(0).getSocketId()
                            && e.getDirection() == Direction.EGRESS).isEmpty();
        }, Duration.ofSeconds(10));
        assertThat(seen).as("request and response seen on both ends; got %s", events.data).isTrue();

        SocketDataEvent request = events.data(clientRequest).get(0);
        SocketDataEvent received = events.data(serverRequest).get(0);
        SocketDataEvent response = events.data(
                e -> e.getSocketId() == received.getSocketId() && e.getDirection() == Direction.EGRESS).get(0);
        SocketDataEvent answered = events.data(
                e -> e.getSocketId() == request.getSocketId() && e.getDirection() == Direction.INGRESS).get(0);

        // the client's side
        clientComm.ifPresent(comm -> assertThat(request.getComm()).isEqualTo(comm));
        assertThat(request.getAgentId()).isEqualTo("it-agent");
        assertThat(request.getHost()).isEqualTo("it-host");
        assertThat(request.getRole()).isEqualTo(Role.CLIENT);
        assertThat(request.getIpFamily()).isEqualTo(clientEnd.family());
        assertThat(request.getL4Protocol()).isEqualTo(L4Protocol.TCP);
        assertThat(request.getLocalIp()).isEqualTo(clientEnd.ip());
        assertThat(request.getRemoteIp()).isEqualTo(clientEnd.ip());
        assertThat(request.getRemotePort()).isEqualTo(nginx.port);
        assertThat(request.getLocalPort()).isPositive();
        assertThat(request.getDataSeq()).isZero();
        assertThat(request.getByteCount()).isEqualTo(request.getPayload().remaining());
        assertThat(request.getPayloadTruncated()).isFalse();
        assertThat(request.getTimestampNs()).isBetween(
                (System.currentTimeMillis() - 60_000) * 1_000_000L, (System.currentTimeMillis() + 1_000) * 1_000_000L);
        assertThat(request.getDurationNs()).isNotNegative();
        assertThat(answered.getPid()).isEqualTo(clientPid);
        assertThat(answered.getRole()).isEqualTo(Role.CLIENT);
        assertThat(text(answered)).startsWith("HTTP/1.1 200");

        // the server's side of the same connection
        assertThat(received.getComm()).isEqualTo("nginx");
        assertThat(received.getRole()).isEqualTo(Role.SERVER);
        assertThat(received.getIpFamily()).isEqualTo(serverEnd.family());
        assertThat(received.getLocalIp()).isEqualTo(serverEnd.ip());
        assertThat(received.getLocalPort()).isEqualTo(nginx.port);
        assertThat(received.getRemotePort()).isEqualTo(request.getLocalPort());
        assertThat(received.getRemoteIp()).isEqualTo(serverEnd.ip());
        assertThat(received.getSocketId()).isNotEqualTo(request.getSocketId());
        assertThat(received.getDataSeq()).isZero();
        assertThat(received.getThreadTraceId()).as("a server-side read starts a thread trace").isNotZero();
        assertThat(received.getCgroupId()).as("nginx's cgroup v2 id (the cgroup directory's inode)")
                .isEqualTo(cgroupV2Id(serverPid));
        assertThat(response.getPid()).isEqualTo(serverPid);
        assertThat(text(response)).startsWith("HTTP/1.1 200");

        // the same bytes carry the same TCP sequence number on both ends
        assertThat(request.getTcpSeq()).isNotNull().isEqualTo(received.getTcpSeq());
        assertThat(received.getByteCount()).isEqualTo(request.getByteCount());
        assertThat(response.getTcpSeq()).isNotNull().isEqualTo(answered.getTcpSeq());
        assertThat(response.getDataSeq()).isZero();
        assertThat(answered.getDataSeq()).isZero();
    }

    /**
     * The id bpf_get_current_cgroup_id reports for a process: the inode of its cgroup v2 directory (the "0::" line
     * of /proc/pid/cgroup, under the cgroup2 mount).
     */
    private static long cgroupV2Id(long pid) {
        try {
            return cgroupV2Inode(pid);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long cgroupV2Inode(long pid) throws IOException {
        String mount = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(line -> line.contains(" - cgroup2 "))
                .map(line -> line.split(" ")[4])
                .findFirst().orElseThrow(() -> new IllegalStateException("no cgroup2 mount"));
        String path = Files.readAllLines(Path.of("/proc/" + pid + "/cgroup")).stream()
                .filter(line -> line.startsWith("0::"))
                .map(line -> line.substring(3))
                .findFirst().orElseThrow(() -> new IllegalStateException("no cgroup v2 line for " + pid));
        return ((Number) Files.getAttribute(Path.of(mount + path), "unix:ino")).longValue();
    }

    private static String text(SocketDataEvent event) {
        return StandardCharsets.ISO_8859_1.decode(event.getPayload().duplicate()).toString();
    }
}
