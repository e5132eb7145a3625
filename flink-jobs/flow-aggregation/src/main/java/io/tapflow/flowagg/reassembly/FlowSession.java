package io.tapflow.flowagg.reassembly;

import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.ProtocolDetector;
import io.tapflow.protocols.ProtocolRegistry;
import io.tapflow.schema.CloseType;
import io.tapflow.schema.Direction;
import io.tapflow.schema.IpFamily;
import io.tapflow.schema.L4Protocol;
import io.tapflow.schema.Role;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import java.util.TreeSet;

/**
 * Everything the reassembler keeps about one flow (one socket seen by one agent), as ONE keyed state value so a
 * flow's state is created, checkpointed and cleared as a unit. Lives from the flow's first event until it closes
 * or idles out. Kept in state by {@link FlowSessionSerializer}.
 */
final class FlowSession {

    // identity, from the first event
    String agentId;
    long socketId;
    /**
     * From (agent, socket) only: a replay after a failure may interleave the data and TCP inputs differently, so
     * nothing that depends on which input's event came first may go into an id.
     */
    String flowId;
    /**
     * Earliest event time seen (either input). Read only when a flow log is emitted, from an event-time timer: by
     * then the watermark has passed the flow's first events on both inputs, so every replay gives the same value.
     */
    long firstEventNs;
    Role role = Role.UNKNOWN;
    /** True when the role was guessed from ports (the collector saw neither connect nor accept). */
    boolean roleGuessed;
    IpFamily ipFamily = IpFamily.UNKNOWN;
    L4Protocol l4Protocol = L4Protocol.UNKNOWN;
    String localIp;
    int localPort;
    String remoteIp;
    int remotePort;
    Integer pid;
    String comm;
    String containerId;

    // L4 counters, by FlowDirection ordinal
    long lastEventNs;
    /**
     * Last activity on the event-time clock: the event's time, or the watermark when the event arrived late. Idle
     * and request deadlines count from it, so a flow whose events arrive behind the watermark is not expired by
     * the very next watermark.
     */
    long clockNs;
    final long[] bytes = new long[2];
    final long[] syscalls = new long[2];
    Long connectLatencyNs;
    Long srttUs;
    long retransmits;
    long resets;
    CloseType closeType;
    /** Time of the close event; the flow finishes a grace period later. -1 while open. */
    long closeNs = -1;
    int flowLogSequence;
    long lastFlowLogNs;

    // L7
    final ProtocolDetector detector = new ProtocolDetector();
    final long[] messageOrdinals = new long[2];

    /** Event-time timers (ms) this flow has registered and not yet seen fire. */
    final TreeSet<Long> timers = new TreeSet<>();
    /**
     * Earliest deadline of what is in flight (a request awaiting its answer, a hole awaiting its bytes), -1 when
     * none. A field, so a timer or TCP event of a flow whose in-flight parts are only bytes need not decode them.
     */
    long inFlightDeadlineNs = -1;

    /**
     * The bytes in flight (decoders mid-stream, reorder buffers, requests awaiting answers), as objects, or null
     * while only {@link #inFlightBytes} holds them (after a restore or a copy, until the flow is next touched).
     */
    private InFlight inFlight = new InFlight();
    /**
     * {@link #inFlight} in Java serialization as of the last checkpoint or copy, or null once it may have changed.
     * Most open flows sit idle between checkpoints (keep-alive connections), so a checkpoint re-encodes only the flows
     * touched since the previous one. Volatile: an asynchronous snapshot fills it while the task thread may copy
     * the same (then frozen) session.
     */
    private volatile byte[] inFlightBytes;

    /**
     * The in-flight parts, to change: the encoded form is dropped, the next checkpoint encodes them again. Decoded
     * first when only their encoded form is there; {@code registry} makes the flow's decoders then.
     */
    InFlight inFlight(ProtocolRegistry registry) {
        InFlight f = peekInFlight(registry);
        inFlightBytes = null;
        return f;
    }

    /** True when the in-flight parts are objects (they may have changed since they were last encoded). */
    boolean inFlightDecoded() {
        return inFlight != null;
    }

    /** The in-flight parts, only to read: the encoded form stays valid. */
    InFlight peekInFlight(ProtocolRegistry registry) {
        InFlight f = inFlight;
        if (f == null) {
            f = InFlight.decode(inFlightBytes, registry, detector.protocol);
            if (f == null) {
                // written by a version whose format or classes this one cannot read: the flow resynchronises,
                // detection starts over
                f = new InFlight();
                detector.protocol = null;
                detector.attempts = 0;
            }
            inFlight = f;
        }
        return f;
    }

    /**
     * The encoded in-flight parts, encoding them if they changed since the last time. Synchronized with
     * {@link #handOverInFlight}: the asynchronous snapshot may encode a session the task thread is copying.
     */
    synchronized byte[] inFlightBytes() {
        byte[] b = inFlightBytes;
        if (b == null) {
            b = inFlight.encode();
            inFlightBytes = b;
        }
        return b;
    }

    /**
     * For a copy that takes over from this session: gives away the in-flight objects (null when there are only
     * bytes) and keeps only their encoded form, encoding them first if needed. A copy-on-write snapshot holds the
     * original only to write it, so the task thread's copy need not decode the bytes again (the decoding was 9% of
     * the reassembler's thread in {@code ./tapflow bench flow}: every flow touched while a checkpoint ran, and every
     * such flow again when it finished).
     */
    synchronized InFlight handOverInFlight() {
        InFlight f = inFlight;
        if (f != null) {
            inFlightBytes();
            inFlight = null;
        }
        return f;
    }

    /** Takes the in-flight objects {@code encoded} is the encoded form of (from {@link #handOverInFlight}). */
    void adoptInFlight(InFlight objects, byte[] encoded) {
        inFlight = objects;
        inFlightBytes = encoded;
    }

    /** Takes encoded in-flight parts; they are decoded when the flow is next touched. */
    void restoreInFlight(byte[] encoded) {
        inFlightBytes = encoded;
        inFlight = null;
    }

    static FlowSession start(SocketDataEvent e) {
        FlowSession s = new FlowSession();
        s.agentId = e.getAgentId().toString();
        s.socketId = e.getSocketId();
        s.firstEventNs = e.getTimestampNs();
        s.flowId = FlowIds.flowId(s.agentId, s.socketId);
        s.lastEventNs = e.getTimestampNs();
        s.clockNs = e.getTimestampNs();
        s.lastFlowLogNs = e.getTimestampNs();
        s.learn(e);
        return s;
    }

    static FlowSession start(TcpEvent e) {
        FlowSession s = new FlowSession();
        s.agentId = e.getAgentId().toString();
        s.socketId = e.getSocketId();
        s.firstEventNs = e.getTimestampNs();
        s.flowId = FlowIds.flowId(s.agentId, s.socketId);
        s.lastEventNs = e.getTimestampNs();
        s.clockNs = e.getTimestampNs();
        s.lastFlowLogNs = e.getTimestampNs();
        s.learn(e);
        return s;
    }

    /** Takes identity fields a data event knows better than what was seen before. */
    void learn(SocketDataEvent e) {
        if (role == Role.UNKNOWN || roleGuessed) {
            if (e.getRole() != Role.UNKNOWN) {
                role = e.getRole();
                roleGuessed = false;
            }
        }
        ipFamily = e.getIpFamily();
        l4Protocol = e.getL4Protocol();
        if (e.getLocalPort() != 0 || localIp == null) {
            localIp = e.getLocalIp().toString();
            localPort = e.getLocalPort();
        }
        remoteIp = e.getRemoteIp().toString();
        remotePort = e.getRemotePort();
        pid = e.getPid();
        comm = e.getComm().toString();
        containerId = e.getContainerId() == null ? null : e.getContainerId().toString();
        if (role == Role.UNKNOWN) {
            // neither connect nor accept seen: the end on the lower (well-known or listening) port is the server
            role = localPort != 0 && localPort < remotePort ? Role.SERVER : Role.CLIENT;
            roleGuessed = true;
        }
    }

    /** TCP events know the tuple (but SYN_SENT events carry port 0, so they never overwrite a known tuple). */
    void learn(TcpEvent e) {
        if (localIp == null || localPort == 0) {
            ipFamily = e.getIpFamily();
            l4Protocol = L4Protocol.TCP;
            localIp = e.getLocalIp().toString();
            localPort = e.getLocalPort();
            remoteIp = e.getRemoteIp().toString();
            remotePort = e.getRemotePort();
        }
        if (pid == null && e.getPid() != null) {
            pid = e.getPid();
            comm = e.getComm() == null ? null : e.getComm().toString();
        }
        switch (e.getType()) {
            case CONNECT_START, CONNECT_ESTABLISHED, CONNECT_FAILED -> {
                if (role == Role.UNKNOWN || roleGuessed) {
                    role = Role.CLIENT;
                    roleGuessed = false;
                }
            }
            case ACCEPT -> {
                if (role == Role.UNKNOWN || roleGuessed) {
                    role = Role.SERVER;
                    roleGuessed = false;
                }
            }
            default -> { }
        }
    }

    /** The flow direction of the bytes a data event moved, from the socket's role. */
    FlowDirection flowDirection(Direction direction) {
        boolean egress = direction == Direction.EGRESS;
        boolean client = role != Role.SERVER;
        return egress == client ? FlowDirection.CLIENT_TO_SERVER : FlowDirection.SERVER_TO_CLIENT;
    }

    boolean closing() {
        return closeNs >= 0;
    }
}
