package io.tapflow.flowagg.reassembly;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The deterministic ids of flows and request logs: 32 hex chars of SHA-256 over input fields only, so the replay
 * of the same events after a failure yields the same ids and ClickHouse collapses the repeated rows.
 */
final class FlowIds {

    private static final byte FLOW = 1;
    private static final byte REQUEST = 2;
    private static final HexFormat HEX = HexFormat.of();
    /**
     * One instance per thread: looking SHA-256 up in the security providers for every request log was a third of
     * the ids' cost (2% of the reassembler's thread in {@code ./tapflow bench flow}).
     */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM provides SHA-256", e);
        }
    });

    private FlowIds() {
    }

    /**
     * flow_id: (agent, socket). The collector assigns socket ids unique per agent run (DESIGN §3), so the pair names
     * one connection; a flow that idles out and later carries data again keeps its id.
     */
    static String flowId(String agentId, long socketId) {
        byte[] agent = agentId.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(1 + 4 + agent.length + 8);
        buf.put(FLOW).putInt(agent.length).put(agent).putLong(socketId);
        return digest(buf);
    }

    /**
     * log_id: (flow, direction of the message the log starts with, that message's first-byte time and tcp seq, and
     * its ordinal among the flow's messages of that direction — the ordinal makes two messages in one syscall
     * distinct).
     */
    static String logId(String flowId, int direction, long startNs, long tcpSeq, long ordinal) {
        byte[] flow = flowId.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer buf = ByteBuffer.allocate(1 + 4 + flow.length + 4 + 24);
        buf.put(REQUEST).putInt(flow.length).put(flow).putInt(direction).putLong(startNs).putLong(tcpSeq)
                .putLong(ordinal);
        return digest(buf);
    }

    private static String digest(ByteBuffer buf) {
        // digest() resets the instance for the next use
        byte[] d = SHA256.get().digest(buf.array());
        return HEX.formatHex(d, 0, 16);
    }
}
