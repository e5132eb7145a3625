package io.tapflow.collector.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.collector.source.AgentIdentity;
import io.tapflow.collector.source.CaptureFilter;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The collector never sees its own traffic (its tgid is excluded in the kernel before anything else, with no
 * filter at all configured), and a port deny-list changed at run time takes effect for new calls and is lifted
 * again.
 */
class SelfExclusionAndFilterITCase {

    private static final int OWN_PID = (int) ProcessHandle.current().pid();

    @Test
    void ownHttpTrafficNeverAppearsWhileEveryoneElsesDoes() throws Exception {
        try (NginxServer nginx = NginxServer.start();
                BpfEventSource source = BpfEventSource.open(new AgentIdentity("it-agent", "it-host"),
                        CaptureFilter.defaults(), BpfSettings.defaults().withPollTimeout(Duration.ofMillis(50)))) {
            CapturedEvents events = new CapturedEvents(
                    e -> e.getPid() == OWN_PID || e.getLocalPort() == nginx.port || e.getRemotePort() == nginx.port,
                    e -> (e.getPid() != null && e.getPid() == OWN_PID) || e.getLocalPort() == nginx.port
                            || e.getRemotePort() == nginx.port);
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + nginx.port + "/self-" + i)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                source.poll(events, Duration.ZERO);
            }
            var curl = ChildProcesses.run(List.of(NginxServer.curl(), "-s", "http://127.0.0.1:" + nginx.port + "/other"));
            assertThat(curl.exitCode()).isZero();

            // the other process is seen, so the probes were live the whole time
            assertThat(events.pollUntil(source, ev -> !ev.data(e -> e.getPid() == curl.pid()).isEmpty(),
                    Duration.ofSeconds(10))).isTrue();
            events.pollFor(source, Duration.ofMillis(500));
            assertThat(events.data(e -> e.getPid() == OWN_PID)).isEmpty();
            assertThat(events.tcp(e -> e.getPid() != null && e.getPid() == OWN_PID)).isEmpty();
            // nginx's side of our requests is another process's traffic and is captured
            assertThat(events.data(e -> e.getComm().equals("nginx") && text(e).startsWith("GET /self-"))).hasSize(5);
            // our own client sockets are excluded from TCP events too (marked at connect): no CONNECT_ESTABLISHED
            // towards nginx other than curl's
            List<TcpEvent> established = events.tcp(e -> e.getType() == io.tapflow.schema.TcpEventType.CONNECT_ESTABLISHED
                    && e.getRemotePort() == nginx.port);
            assertThat(established).hasSize(1);
        }
    }

    @Test
    void aPortDenyListChangedAtRunTimeTakesEffect() throws Exception {
        try (NginxServer nginx = NginxServer.start();
                BpfEventSource source = BpfEventSource.open(new AgentIdentity("it-agent", "it-host"),
                        CaptureFilter.defaults(), BpfSettings.defaults().withPollTimeout(Duration.ofMillis(50)))) {
            CapturedEvents events = new CapturedEvents(
                    e -> e.getLocalPort() == nginx.port || e.getRemotePort() == nginx.port,
                    e -> e.getLocalPort() == nginx.port || e.getRemotePort() == nginx.port);

            long before = curl(nginx, "/before-deny");
            assertThat(events.pollUntil(source, ev -> !ev.data(e -> e.getPid() == before).isEmpty(),
                    Duration.ofSeconds(10))).isTrue();

            source.updateFilter(CaptureFilter.defaults().withDenyPorts(Set.of(nginx.port)));
            long denied = curl(nginx, "/while-denied");
            events.pollFor(source, Duration.ofSeconds(1));
            assertThat(events.data(e -> text(e).contains("/while-denied"))).isEmpty();
            assertThat(events.tcp(e -> e.getPid() != null && e.getPid() == denied)).isEmpty();

            source.updateFilter(CaptureFilter.defaults());
            long after = curl(nginx, "/after-deny");
            assertThat(events.pollUntil(source, ev -> ev.data(e -> e.getPid() == after).size() >= 2,
                    Duration.ofSeconds(10))).isTrue();
            assertThat(events.data(e -> text(e).contains("/after-deny"))).hasSize(2); // curl's send, nginx's recv
            assertThat(source.kernelCounters().get(KernelCounter.FILTERED)).isPositive();
        }
    }

    private static long curl(NginxServer nginx, String path) throws Exception {
        var curl = ChildProcesses.run(List.of(NginxServer.curl(), "-s", "http://127.0.0.1:" + nginx.port + path));
        assertThat(curl.exitCode()).isZero();
        return curl.pid();
    }

    private static String text(SocketDataEvent event) {
        return StandardCharsets.ISO_8859_1.decode(event.getPayload().duplicate()).toString();
    }
}
