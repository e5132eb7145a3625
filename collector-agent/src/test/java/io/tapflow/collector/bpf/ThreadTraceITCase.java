package io.tapflow.collector.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.collector.source.AgentIdentity;
import io.tapflow.collector.source.CaptureFilter;
import io.tapflow.schema.Direction;
import io.tapflow.schema.Role;
import io.tapflow.schema.SocketDataEvent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * AutoTracing: a server thread (child JVM) reads a request, calls nginx downstream, answers. The downstream request
 * carries the thread_trace_id of the inbound request; the next inbound request gets a new one.
 */
class ThreadTraceITCase {

    private NginxServer nginx;
    private Process server;
    private BpfEventSource source;

    @BeforeEach
    void start() throws Exception {
        nginx = NginxServer.start();
        // nothing matches until the server's pid is known (an allow list of an impossible pid)
        source = BpfEventSource.open(new AgentIdentity("it-agent", "it-host"), allowOnlyPid(Integer.MAX_VALUE),
                BpfSettings.defaults().withPollTimeout(Duration.ofMillis(50)));
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.destroyForcibly().waitFor();
        }
        if (source != null) {
            source.close();
        }
        if (nginx != null) {
            nginx.close();
        }
    }

    @Test
    void downstreamRequestCarriesTheInboundRequestsThreadTraceId() throws Exception {
        server = ChildProcesses.startJavaMain(
                TracingServerMain.class, "http://127.0.0.1:" + nginx.port + "/downstream");
        int serverPid = (int) server.pid();
        int port = Integer.parseInt(
                new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))
                        .readLine().trim());
        source.updateFilter(allowOnlyPid(serverPid)); // a run-time filter change: only the server's calls

        for (String path : List.of("/front-1", "/front-2")) {
            var curl = ChildProcesses.run(List.of(NginxServer.curl(), "-s", "http://127.0.0.1:" + port + path));
            assertThat(curl.stdout()).isEqualTo("downstream said: " + NginxServer.BODY.trim());
        }

        Predicate<SocketDataEvent> inbound = e -> e.getDirection() == Direction.INGRESS && text(e).startsWith("GET /front-");
        Predicate<SocketDataEvent> outbound = e -> e.getDirection() == Direction.EGRESS && text(e).startsWith("GET /downstream");
        Predicate<SocketDataEvent> answers = e -> e.getDirection() == Direction.EGRESS && text(e).startsWith("HTTP/1.1 200");
        CapturedEvents events = new CapturedEvents();
        assertThat(events.pollUntil(source, ev -> ev.data(inbound).size() == 2 && ev.data(outbound).size() == 2
                && ev.data(answers).size() == 2, Duration.ofSeconds(10)))
                .as("two inbound and two downstream requests and two answers; got %s", events.data).isTrue();

        assertThat(events.data).allSatisfy(e -> assertThat(e.getPid()).isEqualTo(serverPid));
        List<SocketDataEvent> requests = events.data(inbound);
        List<SocketDataEvent> calls = events.data(outbound);
        List<SocketDataEvent> responses = events.data(answers);
        for (int i = 0; i < 2; i++) {
            SocketDataEvent request = requests.get(i);
            SocketDataEvent call = calls.get(i);
            assertThat(request.getRole()).isEqualTo(Role.SERVER);
            assertThat(call.getRole()).isEqualTo(Role.CLIENT);
            assertThat(call.getRemotePort()).isEqualTo(nginx.port);
            assertThat(call.getTid()).as("same thread").isEqualTo(request.getTid());
            assertThat(request.getThreadTraceId()).isNotZero();
            assertThat(call.getThreadTraceId()).isEqualTo(request.getThreadTraceId());
            assertThat(responses.get(i).getThreadTraceId()).as("the answer closes the trace")
                    .isEqualTo(request.getThreadTraceId());
        }
        assertThat(requests.get(1).getThreadTraceId()).isNotEqualTo(requests.get(0).getThreadTraceId());
        // nginx's own events (other pid) were filtered in the kernel
        assertThat(events.data(e -> e.getComm().equals("nginx"))).isEmpty();
    }

    private static CaptureFilter allowOnlyPid(int pid) {
        return new CaptureFilter(Set.of(), Set.of(), Set.of(pid), Set.of(), Set.of(), Set.of(), 1024, 1);
    }

    private static String text(SocketDataEvent event) {
        return StandardCharsets.ISO_8859_1.decode(event.getPayload().duplicate()).toString();
    }
}
