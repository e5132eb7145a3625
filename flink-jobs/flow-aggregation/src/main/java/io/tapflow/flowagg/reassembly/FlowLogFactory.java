package io.tapflow.flowagg.reassembly;

import io.tapflow.protocols.FlowDirection;
import io.tapflow.schema.FlowLog;
import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.Role;

/** Builds the L4 flow log of a flow: cumulative counters, one emission per interval and a final one. */
final class FlowLogFactory {

    private final ServiceNamer services;

    FlowLogFactory(ServiceNamer services) {
        this.services = services;
    }

    /** The next emission of {@code flow}; advances its sequence. */
    FlowLog emission(FlowSession flow, long endNs, boolean isFinal) {
        boolean server = flow.role == Role.SERVER;
        int c2s = FlowDirection.CLIENT_TO_SERVER.ordinal();
        int s2c = FlowDirection.SERVER_TO_CLIENT.ordinal();
        L7Protocol l7 = flow.detector.protocol == null ? L7Protocol.UNKNOWN : flow.detector.protocol;
        long startUs = flow.firstEventNs / 1000;
        long endUs = Math.max(endNs, flow.firstEventNs) / 1000;
        String observed = services.observed(flow.comm, flow.containerId);
        FlowLog.Builder b = FlowLog.newBuilder()
                .setFlowId(flow.flowId)
                .setAgentId(flow.agentId)
                .setSocketId(flow.socketId)
                .setObservationPoint(flow.roleGuessed ? ObservationPoint.UNKNOWN
                        : server ? ObservationPoint.SERVER_PROCESS : ObservationPoint.CLIENT_PROCESS)
                .setIpFamily(flow.ipFamily)
                .setL4Protocol(flow.l4Protocol)
                .setL7Protocol(l7)
                .setStartTimeUs(startUs)
                .setEndTimeUs(endUs)
                .setDurationUs(endUs - startUs)
                .setBytesClientToServer(flow.bytes[c2s])
                .setBytesServerToClient(flow.bytes[s2c])
                .setSyscallsClientToServer(flow.syscalls[c2s])
                .setSyscallsServerToClient(flow.syscalls[s2c])
                .setConnectLatencyUs(flow.connectLatencyNs == null ? null : flow.connectLatencyNs / 1000)
                .setSrttUs(flow.srttUs)
                .setRetransmits(flow.retransmits)
                .setResets(flow.resets)
                .setCloseType(isFinal ? flow.closeType : null)
                .setIsFinal(isFinal)
                .setSequence(flow.flowLogSequence++);
        String local = nullToEmpty(flow.localIp);
        String remote = nullToEmpty(flow.remoteIp);
        if (server) {
            b.setServerIp(local).setServerPort(flow.localPort).setServerPid(flow.pid).setServerProcess(flow.comm)
                    .setServerService(observed).setClientIp(remote).setClientPort(flow.remotePort);
        } else {
            b.setClientIp(local).setClientPort(flow.localPort).setClientPid(flow.pid).setClientProcess(flow.comm)
                    .setClientService(observed).setServerIp(remote).setServerPort(flow.remotePort)
                    .setServerService(services.peerServer(remote, flow.remotePort));
        }
        flow.lastFlowLogNs = endNs;
        return b.build();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
