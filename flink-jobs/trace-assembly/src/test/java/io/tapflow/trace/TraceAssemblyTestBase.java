package io.tapflow.trace;

import io.tapflow.schema.IpFamily;
import io.tapflow.schema.L4Protocol;
import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.ResponseStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Fixtures of trace-assembly tests: request logs shaped as flow-aggregation fills them, and the 3-hop chain
 * client → gateway → service A → Redis, A → service B over HTTP, on two hosts (agents) with their own clocks.
 */
public abstract class TraceAssemblyTestBase {

    /** A named instant: 2025-01-01T00:00:00Z in µs. */
    public static final long T0_US = 1_735_689_600_000_000L;

    public static final String HOST_A = "agent-host-a";
    public static final String HOST_B = "agent-host-b";
    public static final String IP_A = "10.0.0.1";
    public static final String IP_B = "10.0.0.2";

    /** Span names of one chain, in {@link Chain#logs} order. */
    public static final List<String> CHAIN_SPANS = List.of("client>gateway", "gateway<client", "gateway>a",
            "a<gateway", "a>redis", "redis<a", "a>b", "b<a");

    /** Expected parent of each chain span by name (null = root). */
    public static final Map<String, String> CHAIN_PARENTS = Map.of(
            "gateway<client", "client>gateway", "gateway>a", "gateway<client", "a<gateway", "gateway>a",
            "a>redis", "a<gateway", "redis<a", "a>redis", "a>b", "a<gateway", "b<a", "a>b");

    /** Builder of one request log with everything a rule looks at set to neutral values. */
    public static RequestLog.Builder log(String logId, String agent, ObservationPoint point, long startUs, long endUs) {
        return RequestLog.newBuilder()
                .setLogId(logId)
                .setFlowId("f" + logId.substring(1))
                .setAgentId(agent)
                .setStartTimeUs(startUs)
                .setEndTimeUs(endUs)
                .setObservationPoint(point)
                .setIpFamily(IpFamily.IPV4)
                .setL4Protocol(L4Protocol.TCP)
                .setClientIp(IP_A)
                .setClientPort(40000)
                .setServerIp(IP_B)
                .setServerPort(8080)
                .setL7Protocol(L7Protocol.HTTP1)
                .setRequestType("GET")
                .setRequestResource("/")
                .setEndpoint("/")
                .setResponseStatus(ResponseStatus.OK)
                .setResponseCode(200)
                .setResponseDurationUs(endUs - startUs)
                .setSyscallTraceIdRequest(0)
                .setSyscallTraceIdResponse(0)
                .setAttributes(new HashMap<>());
    }

    /** A 32-hex log id made of two numbers, readable in failures. */
    public static String logId(int chain, int index) {
        return String.format("%016x%016x", chain, index);
    }

    /** The logs of one chain and the span name of each log id. */
    public record Chain(List<RequestLog> logs, Map<String, String> nameByLogId) {
    }

    /**
     * One chain started at {@code startUs} (host A's clock). Host B's clock is off by {@code skewUs}; connection
     * ports and tcp seqs come from {@code rnd}; {@code traceparent} (may be null) is sent by the client and
     * forwarded unchanged by the gateway's inbound hop only (an uninstrumented service chain behind it).
     */
    public static Chain chain(int n, long startUs, long skewUs, Random rnd, String traceparentTraceId,
            String traceparentSpanId) {
        long sGw = rnd.nextInt() & 0xffffffffL;
        long sA = rnd.nextInt() & 0xffffffffL;
        long sRedis = rnd.nextInt() & 0xffffffffL;
        long sB = rnd.nextInt() & 0xffffffffL;
        int pClient = 20000 + rnd.nextInt(40000);
        int pGw = 20000 + rnd.nextInt(40000);
        int pA = 20000 + rnd.nextInt(40000);
        int pA2 = 20000 + rnd.nextInt(40000);
        long tidGw = 1_000_000L * n + 1;
        long tidA = 1_000_000L * n + 2;
        long t = startUs;
        long b = startUs + skewUs;
        List<RequestLog> logs = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        // client → gateway, both on host A (loopback: one agent sees both ends)
        RequestLog.Builder c1 = hop(log(logId(n, 0), HOST_A, ObservationPoint.CLIENT_PROCESS, t, t + 50_000),
                IP_A, pClient, IP_A, 8080, sGw, "client", 100 + n, null).setRequestResource("/api/order?id=" + n)
                .setEndpoint("/api/order");
        RequestLog.Builder s1 = hop(log(logId(n, 1), HOST_A, ObservationPoint.SERVER_PROCESS, t + 300, t + 49_500),
                IP_A, pClient, IP_A, 8080, sGw, null, null, "gateway").setServerPid(200)
                .setRequestResource("/api/order?id=" + n).setEndpoint("/api/order")
                .setSyscallTraceIdRequest(tidGw);
        if (traceparentTraceId != null) {
            c1.setTraceId(traceparentTraceId).setSpanId(traceparentSpanId);
            s1.setTraceId(traceparentTraceId).setSpanId(traceparentSpanId);
        }
        // gateway → service A (host A client, host B server)
        RequestLog.Builder c2 = hop(log(logId(n, 2), HOST_A, ObservationPoint.CLIENT_PROCESS, t + 2_000, t + 45_000),
                IP_A, pGw, IP_B, 9000, sA, "gateway", 200, null).setSyscallTraceIdRequest(tidGw)
                .setRequestResource("/orders/" + n).setEndpoint("/orders/{id}");
        RequestLog.Builder s2 = hop(log(logId(n, 3), HOST_B, ObservationPoint.SERVER_PROCESS, b + 2_500, b + 44_000),
                IP_A, pGw, IP_B, 9000, sA, null, null, "service-a").setServerPid(300)
                .setSyscallTraceIdRequest(tidA).setRequestResource("/orders/" + n).setEndpoint("/orders/{id}");
        // service A → Redis (host B, loopback)
        RequestLog.Builder c3 = hop(log(logId(n, 4), HOST_B, ObservationPoint.CLIENT_PROCESS, b + 5_000, b + 6_000),
                IP_B, pA, IP_B, 6379, sRedis, "service-a", 300, null).setSyscallTraceIdRequest(tidA)
                .setL7Protocol(L7Protocol.REDIS).setRequestType("GET").setRequestResource("GET order:" + n)
                .setEndpoint("GET").setResponseCode(null);
        RequestLog.Builder s3 = hop(log(logId(n, 5), HOST_B, ObservationPoint.SERVER_PROCESS, b + 5_100, b + 5_900),
                IP_B, pA, IP_B, 6379, sRedis, null, null, "redis").setServerPid(400)
                .setSyscallTraceIdRequest(3_000_000_000L + n).setL7Protocol(L7Protocol.REDIS)
                .setRequestType("GET").setRequestResource("GET order:" + n).setEndpoint("GET").setResponseCode(null);
        // service A → service B over HTTP (host B)
        RequestLog.Builder c4 = hop(log(logId(n, 6), HOST_B, ObservationPoint.CLIENT_PROCESS, b + 8_000, b + 40_000),
                IP_B, pA2, IP_B, 9100, sB, "service-a", 300, null).setSyscallTraceIdRequest(tidA)
                .setRequestResource("/stock/" + n).setEndpoint("/stock/{id}");
        RequestLog.Builder s4 = hop(log(logId(n, 7), HOST_B, ObservationPoint.SERVER_PROCESS, b + 8_200, b + 39_800),
                IP_B, pA2, IP_B, 9100, sB, null, null, "service-b").setServerPid(500)
                .setSyscallTraceIdRequest(4_000_000_000L + n).setRequestResource("/stock/" + n)
                .setEndpoint("/stock/{id}");
        List<RequestLog.Builder> builders = List.of(c1, s1, c2, s2, c3, s3, c4, s4);
        for (int i = 0; i < builders.size(); i++) {
            RequestLog l = builders.get(i).build();
            logs.add(l);
            names.put(l.getLogId(), CHAIN_SPANS.get(i));
        }
        return new Chain(logs, names);
    }

    private static RequestLog.Builder hop(RequestLog.Builder b, String clientIp, int clientPort, String serverIp,
            int serverPort, long reqSeq, String clientService, Integer clientPid, String serverService) {
        b.setClientIp(clientIp).setClientPort(clientPort).setServerIp(serverIp).setServerPort(serverPort)
                .setReqTcpSeq(reqSeq).setRespTcpSeq((reqSeq * 7 + 11) & 0xffffffffL);
        if (clientService != null) {
            b.setClientService(clientService).setClientProcess(clientService).setClientPid(clientPid);
        }
        if (serverService != null) {
            b.setServerService(serverService).setServerProcess(serverService);
        }
        return b;
    }
}
