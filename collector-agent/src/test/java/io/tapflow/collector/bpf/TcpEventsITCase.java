package io.tapflow.collector.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.collector.source.AgentIdentity;
import io.tapflow.collector.source.CaptureFilter;
import io.tapflow.localstack.process.FreePorts;
import io.tapflow.schema.CloseType;
import io.tapflow.schema.Direction;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import io.tapflow.schema.TcpEventType;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * TCP life-cycle events of real connections: connect latency, accept, RTT samples and close types on loopback
 * (nginx + curl), a refused connect, and retransmits when segments between two network namespaces are lost
 * during a transfer.
 */
class TcpEventsITCase {

    private static final AgentIdentity AGENT = new AgentIdentity("it-agent", "it-host");

    @Test
    void connectAcceptRttAndCloseOfLoopbackConnections() throws Exception {
        int closedPort = FreePorts.find();
        try (NginxServer nginx = NginxServer.start();
                BpfEventSource source = BpfEventSource.open(AGENT, allowPorts(nginx.port, closedPort),
                        BpfSettings.defaults().withPollTimeout(Duration.ofMillis(50)))) {
            List<Integer> curlPids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                var curl = ChildProcesses.run(
                        List.of(NginxServer.curl(), "-s", "http://127.0.0.1:" + nginx.port + "/tcp-" + i));
                assertThat(curl.exitCode()).isZero();
                curlPids.add((int) curl.pid());
            }
            var refused = ChildProcesses.run(List.of(NginxServer.curl(), "-s", "http://127.0.0.1:" + closedPort + "/"));
            assertThat(refused.exitCode()).as("curl to a closed port fails").isNotZero();

            CapturedEvents events = new CapturedEvents();
            events.pollUntil(source, ev -> ev.tcp(e -> e.getType() == TcpEventType.CLOSE).size() >= 6
                    && !ev.tcp(e -> e.getType() == TcpEventType.CONNECT_FAILED).isEmpty(), Duration.ofSeconds(10));

            for (int pid : curlPids) {
                List<TcpEvent> starts = events.tcp(e -> e.getType() == TcpEventType.CONNECT_START
                        && e.getPid() != null && e.getPid() == pid);
                assertThat(starts).as("CONNECT_START of curl %d in %s", pid, events.tcp).hasSize(1);
                long socket = starts.get(0).getSocketId();
                assertThat(starts.get(0).getComm()).isEqualTo("curl");
                assertThat(starts.get(0).getRemotePort()).isEqualTo(nginx.port);
                TcpEvent established = only(events, socket, TcpEventType.CONNECT_ESTABLISHED);
                assertThat(established.getConnectLatencyNs()).isPositive().isLessThan(1_000_000_000L);
                assertThat(established.getTcpStateOld()).isEqualTo("TCP_SYN_SENT");
                assertThat(established.getTcpStateNew()).isEqualTo("TCP_ESTABLISHED");
                TcpEvent close = only(events, socket, TcpEventType.CLOSE);
                assertThat(close.getCloseType()).isEqualTo(CloseType.NORMAL);
                assertThat(close.getTcpStateNew()).isEqualTo("TCP_CLOSE");
                assertThat(close.getBytesAcked()).isPositive();
                assertThat(close.getBytesReceived()).isPositive();
                // the same socket id as the socket's data events
                List<SocketDataEvent> data = events.data(e -> e.getPid() == pid);
                assertThat(data).isNotEmpty().allSatisfy(e -> assertThat(e.getSocketId()).isEqualTo(socket));
                // and the server's side of the connection
                int clientPort = established.getLocalPort();
                List<TcpEvent> accepts = events.tcp(e -> e.getType() == TcpEventType.ACCEPT
                        && e.getRemotePort() == clientPort);
                assertThat(accepts).hasSize(1);
                assertThat(accepts.get(0).getLocalPort()).isEqualTo(nginx.port);
                TcpEvent serverClose = only(events, accepts.get(0).getSocketId(), TcpEventType.CLOSE);
                assertThat(serverClose.getCloseType()).isEqualTo(CloseType.NORMAL);
            }
            List<TcpEvent> rtt = events.tcp(e -> e.getType() == TcpEventType.RTT_SAMPLE);
            assertThat(rtt).isNotEmpty().allSatisfy(e -> assertThat(e.getSrttUs()).isPositive());

            List<TcpEvent> failed = events.tcp(e -> e.getType() == TcpEventType.CONNECT_FAILED);
            assertThat(failed).hasSize(1);
            assertThat(failed.get(0).getCloseType()).isEqualTo(CloseType.CONNECT_FAILED);
            assertThat(failed.get(0).getConnectLatencyNs()).isPositive();
            assertThat(failed.get(0).getRemotePort()).isEqualTo(closedPort);
            assertThat(events.tcp(e -> e.getType() == TcpEventType.RESET_RECEIVED
                    && e.getSocketId() == failed.get(0).getSocketId())).hasSize(1);
        }
    }

    @Test
    void retransmitsAreCountedWhenSegmentsBetweenTwoNamespacesAreLost() throws Exception {
        int port = 47_000 + (int) (System.nanoTime() % 1000);
        try (NetnsPair net = NetnsPair.create();
                BpfEventSource source = BpfEventSource.open(AGENT, allowPorts(port),
                        BpfSettings.defaults().withPollTimeout(Duration.ofMillis(50)))) {
            Process server = new ProcessBuilder(NetnsPair.in(net.nsB,
                    ChildProcesses.javaMain(BulkTransferMain.class, "serve", net.ipB, Integer.toString(port))))
                    .redirectErrorStream(true).start();
            try {
                BufferedReader serverOut =
                        new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
                assertThat(serverOut.readLine()).isEqualTo("ready");
                Process client = new ProcessBuilder(NetnsPair.in(net.nsA,
                        ChildProcesses.javaMain(BulkTransferMain.class, "send", net.ipB, Integer.toString(port), "150")))
                        .redirectErrorStream(true).start();
                CapturedEvents events = new CapturedEvents();
                // let the transfer run, then lose everything sent to B for a while
                events.pollUntil(source, ev -> ev.data(e -> e.getDirection() == Direction.EGRESS).size() >= 10,
                        Duration.ofSeconds(15));
                net.dropAtB(true);
                events.pollFor(source, Duration.ofMillis(1500));
                net.dropAtB(false);
                assertThat(client.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                assertThat(serverOut.readLine()).isEqualTo(Long.toString(150L * 65536));
                events.pollUntil(source, ev -> !ev.tcp(e -> e.getType() == TcpEventType.CLOSE
                        && e.getRemotePort() == port).isEmpty(), Duration.ofSeconds(10));

                List<TcpEvent> retransmits = events.tcp(e -> e.getType() == TcpEventType.RETRANSMIT);
                assertThat(retransmits).as("retransmits in %s", events.tcp).isNotEmpty()
                        .allSatisfy(e -> assertThat(e.getRetransmitCount()).isPositive());
                long sender = retransmits.get(0).getSocketId();
                // the JDK socket is dual-stack AF_INET6: IPv4-mapped form
                assertThat(retransmits.get(0).getLocalIp()).isEqualTo("::ffff:" + net.ipA);
                assertThat(retransmits.get(0).getRemotePort()).isEqualTo(port);
                TcpEvent close = only(events, sender, TcpEventType.CLOSE);
                assertThat(close.getRetransmitCount()).isGreaterThanOrEqualTo(retransmits.size());
                // the data events come from the namespace, not from the host's network
                assertThat(events.data(e -> e.getSocketId() == sender)).isNotEmpty()
                        .allSatisfy(e -> assertThat(e.getNetnsInode()).isNotNull().isNotEqualTo(hostNetns()));
            } finally {
                server.destroyForcibly().waitFor();
            }
        }
    }

    private static TcpEvent only(CapturedEvents events, long socket, TcpEventType type) {
        List<TcpEvent> matching = events.tcp(e -> e.getSocketId() == socket && e.getType() == type);
        assertThat(matching).as("%s of socket %d in %s", type, socket, events.tcp).hasSize(1);
        return matching.get(0);
    }

    private static CaptureFilter allowPorts(Integer... ports) {
        return new CaptureFilter(Set.of(ports), Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), 256, 1);
    }

    private static long hostNetns() throws Exception {
        String link = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/ns/net")).toString();
        return Long.parseLong(link.replaceAll("\\D", ""));
    }
}
