package io.tapflow.flowagg.reassembly;

import io.tapflow.flink.serde.JavaSerializedTypeInfo;
import io.tapflow.flink.serde.NullableValues;
import io.tapflow.flink.serde.SingleClassTypeInfo;
import io.tapflow.schema.CloseType;
import io.tapflow.schema.IpFamily;
import io.tapflow.schema.L4Protocol;
import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Keyed-state serializer of {@link FlowSession}: the flow's identity, counters and timers field by field, then its
 * in-flight parts ({@link InFlight}) as the encoded bytes ({@link InFlightFormat}) the session caches.
 *
 * <p>Why not plain Java serialization of the whole session: a host keeps tens of thousands of connections open, most
 * of them idle between two checkpoints, and the heap backend writes every one of them into every checkpoint — and
 * copies each one the task touches while a checkpoint runs. Encoding a whole session through Java serialization
 * took as much CPU as the reassembler itself in {@code ./tapflow bench flow}. The cached bytes are re-encoded only
 * for flows whose in-flight parts changed, and a copy shares them (they are immutable).
 */
public final class FlowSessionSerializer extends TypeSerializer<FlowSession> {

    private static final long serialVersionUID = 1L;

    static final FlowSessionSerializer INSTANCE = new FlowSessionSerializer();
    static final TypeInformation<FlowSession> TYPE_INFO = new TypeInfo();

    /** Leads every value, so a later layout can still read this one. */
    private static final byte VERSION = 1;
    private static final int NONE = -1;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<FlowSession> duplicate() {
        return this;
    }

    @Override
    public FlowSession createInstance() {
        return new FlowSession();
    }

    /**
     * A deep copy, as copy-on-write heap snapshots need. The in-flight objects move to the copy and the original
     * keeps their encoded form (shared, immutable): the original is what a snapshot writes, the copy is what the
     * task goes on changing, so neither decodes anything.
     */
    @Override
    public FlowSession copy(FlowSession from) {
        if (from == null) {
            return null;
        }
        InFlight objects = from.handOverInFlight();
        try {
            DataOutputSerializer out = new DataOutputSerializer(256);
            serialize(from, out);
            FlowSession copy = deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
            if (objects != null) {
                copy.adoptInFlight(objects, from.inFlightBytes());
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("copying a flow's state", e);
        }
    }

    @Override
    public FlowSession copy(FlowSession from, FlowSession reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(FlowSession s, DataOutputView out) throws IOException {
        out.writeByte(VERSION);
        NullableValues.writeString(out, s.agentId);
        out.writeLong(s.socketId);
        NullableValues.writeString(out, s.flowId);
        out.writeLong(s.firstEventNs);
        out.writeByte(s.role.ordinal());
        out.writeBoolean(s.roleGuessed);
        out.writeByte(s.ipFamily.ordinal());
        out.writeByte(s.l4Protocol.ordinal());
        NullableValues.writeString(out, s.localIp);
        out.writeInt(s.localPort);
        NullableValues.writeString(out, s.remoteIp);
        out.writeInt(s.remotePort);
        out.writeBoolean(s.pid != null);
        if (s.pid != null) {
            out.writeInt(s.pid);
        }
        NullableValues.writeString(out, s.comm);
        NullableValues.writeString(out, s.containerId);
        out.writeLong(s.lastEventNs);
        out.writeLong(s.clockNs);
        for (int d = 0; d < 2; d++) {
            out.writeLong(s.bytes[d]);
            out.writeLong(s.syscalls[d]);
            out.writeLong(s.messageOrdinals[d]);
        }
        NullableValues.writeLong(out, s.connectLatencyNs);
        NullableValues.writeLong(out, s.srttUs);
        out.writeLong(s.retransmits);
        out.writeLong(s.resets);
        out.writeByte(s.closeType == null ? NONE : s.closeType.ordinal());
        out.writeLong(s.closeNs);
        out.writeInt(s.flowLogSequence);
        out.writeLong(s.lastFlowLogNs);
        out.writeByte(s.detector.protocol == null ? NONE : s.detector.protocol.ordinal());
        out.writeInt(s.detector.attempts);
        out.writeInt(s.timers.size());
        for (long t : s.timers) {
            out.writeLong(t);
        }
        out.writeLong(s.inFlightDeadlineNs);
        byte[] inFlight = s.inFlightBytes();
        out.writeInt(inFlight.length);
        out.write(inFlight);
    }

    @Override
    public FlowSession deserialize(DataInputView in) throws IOException {
        byte version = in.readByte();
        if (version != VERSION) {
            throw new IOException("flow state written in layout " + version + ", this job reads layout " + VERSION);
        }
        FlowSession s = new FlowSession();
        s.agentId = NullableValues.readString(in);
        s.socketId = in.readLong();
        s.flowId = NullableValues.readString(in);
        s.firstEventNs = in.readLong();
        s.role = Role.values()[in.readByte()];
        s.roleGuessed = in.readBoolean();
        s.ipFamily = IpFamily.values()[in.readByte()];
        s.l4Protocol = L4Protocol.values()[in.readByte()];
        s.localIp = NullableValues.readString(in);
        s.localPort = in.readInt();
        s.remoteIp = NullableValues.readString(in);
        s.remotePort = in.readInt();
        s.pid = in.readBoolean() ? in.readInt() : null;
        s.comm = NullableValues.readString(in);
        s.containerId = NullableValues.readString(in);
        s.lastEventNs = in.readLong();
        s.clockNs = in.readLong();
        for (int d = 0; d < 2; d++) {
            s.bytes[d] = in.readLong();
            s.syscalls[d] = in.readLong();
            s.messageOrdinals[d] = in.readLong();
        }
        s.connectLatencyNs = NullableValues.readLong(in);
        s.srttUs = NullableValues.readLong(in);
        s.retransmits = in.readLong();
        s.resets = in.readLong();
        byte closeType = in.readByte();
        s.closeType = closeType == NONE ? null : CloseType.values()[closeType];
        s.closeNs = in.readLong();
        s.flowLogSequence = in.readInt();
        s.lastFlowLogNs = in.readLong();
        byte protocol = in.readByte();
        s.detector.protocol = protocol == NONE ? null : L7Protocol.values()[protocol];
        s.detector.attempts = in.readInt();
        for (int i = in.readInt(); i > 0; i--) {
            s.timers.add(in.readLong());
        }
        s.inFlightDeadlineNs = in.readLong();
        byte[] inFlight = new byte[in.readInt()];
        in.readFully(inFlight);
        s.restoreInFlight(inFlight);
        return s;
    }

    @Override
    public FlowSession deserialize(FlowSession reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof FlowSessionSerializer;
    }

    @Override
    public int hashCode() {
        return FlowSessionSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<FlowSession> snapshotConfiguration() {
        return new Snapshot();
    }

    /**
     * Savepoint snapshot of the stateless serializer. State written before this serializer existed (the whole
     * session in Java serialization) migrates: its values cannot be read into the new session layout, so they
     * restore empty and each flow resynchronises on its next message, as unreadable in-flight state always does.
     */
    public static final class Snapshot implements TypeSerializerSnapshot<FlowSession> {

        @Override
        public int getCurrentVersion() {
            return 1;
        }

        @Override
        public void writeSnapshot(DataOutputView out) {
        }

        @Override
        public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader) {
        }

        @Override
        public TypeSerializer<FlowSession> restoreSerializer() {
            return INSTANCE;
        }

        @Override
        public TypeSerializerSchemaCompatibility<FlowSession> resolveSchemaCompatibility(
                TypeSerializerSnapshot<FlowSession> old) {
            if (old instanceof Snapshot) {
                return TypeSerializerSchemaCompatibility.compatibleAsIs();
            }
            return old instanceof JavaSerializedTypeInfo.Snapshot
                    ? TypeSerializerSchemaCompatibility.compatibleAfterMigration()
                    : TypeSerializerSchemaCompatibility.incompatible();
        }
    }

    private static final class TypeInfo extends SingleClassTypeInfo<FlowSession> {

        private static final long serialVersionUID = 1L;

        TypeInfo() {
            super(FlowSession.class);
        }

        @Override
        public TypeSerializer<FlowSession> createSerializer(SerializerConfig config) {
            return INSTANCE;
        }
    }
}
