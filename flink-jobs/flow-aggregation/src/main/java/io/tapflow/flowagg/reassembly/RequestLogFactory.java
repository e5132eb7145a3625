package io.tapflow.flowagg.reassembly;

import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.Segment;
import io.tapflow.protocols.TraceContext;
import io.tapflow.protocols.endpoint.EndpointNormalizer;
import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.ResponseStatus;
import io.tapflow.schema.Role;
import java.util.HashMap;
import java.util.Map;

/** Builds request logs (DeepFlow l7_flow_log semantics) from a flow and a request and/or its response. */
final class RequestLogFactory {

    private final EndpointNormalizer endpoints;
    private final ServiceNamer services;

    RequestLogFactory(EndpointNormalizer endpoints, ServiceNamer services) {
        this.endpoints = endpoints;
        this.services = services;
    }

    /** A request and its response. */
    RequestLog paired(FlowSession flow, PendingRequest request, L7Message response, int responseTid) {
        RequestLog.Builder b = base(flow, request.message(), FlowDirection.CLIENT_TO_SERVER, request.ordinal());
        request(b, request);
        response(b, response, responseTid);
        b.setEndTimeUs(Math.max(response.endTimestampNs(), request.message().startTimestampNs()) / 1000);
        b.setResponseDurationUs(b.getEndTimeUs() - b.getStartTimeUs());
        return b.build();
    }

    /** A request that got no response: timed out, or the flow ended first. */
    RequestLog timedOut(FlowSession flow, PendingRequest request, String why) {
        RequestLog.Builder b = base(flow, request.message(), FlowDirection.CLIENT_TO_SERVER, request.ordinal());
        request(b, request);
        b.setEndTimeUs(b.getStartTimeUs());
        b.setResponseStatus(ResponseStatus.TIMEOUT);
        b.setResponseException(why);
        return b.build();
    }

    /** A request that by its protocol gets no response: no status, no duration. */
    RequestLog oneWay(FlowSession flow, PendingRequest request) {
        RequestLog.Builder b = base(flow, request.message(), FlowDirection.CLIENT_TO_SERVER, request.ordinal());
        request(b, request);
        b.setEndTimeUs(b.getStartTimeUs());
        return b.build();
    }

    /** A response whose request was not captured (the flow was picked up mid-exchange). */
    RequestLog responseOnly(FlowSession flow, L7Message response, int tid, long ordinal) {
        RequestLog.Builder b = base(flow, response, FlowDirection.SERVER_TO_CLIENT, ordinal);
        response(b, response, tid);
        b.setEndTimeUs(response.endTimestampNs() / 1000);
        return b.build();
    }

    private RequestLog.Builder base(FlowSession flow, L7Message first, FlowDirection direction, long ordinal) {
        boolean server = flow.role == Role.SERVER;
        RequestLog.Builder b = RequestLog.newBuilder()
                .setLogId(FlowIds.logId(flow.flowId, direction.ordinal(), first.startTimestampNs(),
                        first.startTcpSeq(), ordinal))
                .setFlowId(flow.flowId)
                .setAgentId(flow.agentId)
                .setStartTimeUs(first.startTimestampNs() / 1000)
                .setEndTimeUs(first.startTimestampNs() / 1000)
                .setObservationPoint(flow.roleGuessed ? ObservationPoint.UNKNOWN
                        : server ? ObservationPoint.SERVER_PROCESS : ObservationPoint.CLIENT_PROCESS)
                .setIpFamily(flow.ipFamily)
                .setL4Protocol(flow.l4Protocol)
                .setL7Protocol(first.protocol())
                .setVersion(first.version())
                .setResponseStatus(ResponseStatus.UNKNOWN)
                .setSyscallTraceIdRequest(0)
                .setSyscallTraceIdResponse(0)
                .setAttributes(new HashMap<>());
        String observed = services.observed(flow.comm, flow.containerId);
        if (server) {
            b.setServerIp(flow.localIp).setServerPort(flow.localPort).setServerPid(flow.pid)
                    .setServerProcess(flow.comm).setServerService(observed)
                    .setClientIp(flow.remoteIp).setClientPort(flow.remotePort);
        } else {
            b.setClientIp(flow.localIp).setClientPort(flow.localPort).setClientPid(flow.pid)
                    .setClientProcess(flow.comm).setClientService(observed)
                    .setServerIp(flow.remoteIp).setServerPort(flow.remotePort)
                    .setServerService(services.peerServer(flow.remoteIp, flow.remotePort));
        }
        return b;
    }

    private void request(RequestLog.Builder b, PendingRequest pending) {
        L7Message m = pending.message();
        b.setRequestType(m.requestType())
                .setRequestDomain(m.requestDomain())
                .setRequestResource(m.requestResource())
                .setEndpoint(endpoint(m))
                .setRequestId(m.pairId() == L7Message.IN_ORDER ? null : m.pairId())
                .setRequestLength(m.length() == L7Message.UNKNOWN_LENGTH ? null : m.length())
                .setReqTcpSeq(m.startTcpSeq() == Segment.NO_TCP_SEQ ? null : m.startTcpSeq())
                .setSyscallTraceIdRequest(m.threadTraceId())
                .setSyscallThreadIdRequest(pending.tid())
                .setXRequestId(m.xRequestId());
        TraceContext trace = m.traceContext();
        if (trace != null) {
            b.setTraceId(trace.traceId()).setSpanId(trace.spanId()).setParentSpanId(trace.parentSpanId());
        }
        attributes(b, m.attributes());
    }

    private void response(RequestLog.Builder b, L7Message m, int tid) {
        b.setResponseStatus(m.responseStatus())
                .setResponseCode(m.responseCode())
                .setResponseException(m.responseException())
                .setResponseLength(m.length() == L7Message.UNKNOWN_LENGTH ? null : m.length())
                .setRespTcpSeq(m.startTcpSeq() == Segment.NO_TCP_SEQ ? null : m.startTcpSeq())
                .setSyscallTraceIdResponse(m.threadTraceId())
                .setSyscallThreadIdResponse(tid);
        if (b.getRequestId() == null && m.pairId() != L7Message.IN_ORDER) {
            b.setRequestId(m.pairId());
        }
        if (b.getXRequestId() == null) {
            b.setXRequestId(m.xRequestId());
        }
        if (b.getVersion() == null) {
            b.setVersion(m.version());
        }
        attributes(b, m.attributes());
    }

    private static void attributes(RequestLog.Builder b, Map<String, String> attributes) {
        if (!attributes.isEmpty()) {
            b.getAttributes().putAll(attributes);
        }
    }

    /** The aggregation route: a normalised path for HTTP, the method path for gRPC, the verb for the others. */
    String endpoint(L7Message request) {
        L7Protocol p = request.protocol();
        if (p == L7Protocol.HTTP1 || p == L7Protocol.HTTP2) {
            return endpoints.normalize(request.requestResource());
        }
        if (p == L7Protocol.GRPC) {
            return request.requestResource();
        }
        return request.requestType();
    }
}
