package io.tapflow.flowagg.reassembly;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.flink.flow.SegmentOrdering;
import io.tapflow.flink.serde.JavaSerializedTypeInfo;
import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.MessageSink;
import io.tapflow.protocols.MessageKind;
import io.tapflow.protocols.ParserOptions;
import io.tapflow.protocols.ProtocolRegistry;
import io.tapflow.protocols.Segment;
import io.tapflow.protocols.testing.Decoding;
import io.tapflow.schema.CloseType;
import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.Role;
import io.tapflow.schema.SocketDataEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** {@link FlowSessionSerializer} on a session started from a real captured connection. */
class FlowSessionSerializerTest {

    private static final FlowSessionSerializer SERIALIZER = FlowSessionSerializer.INSTANCE;
    private static final ProtocolRegistry REGISTRY = ProtocolRegistry.defaults(ParserOptions.DEFAULTS);

    private final List<SocketDataEvent> events = CapturedFlows.dataEvents(
            CapturedFlows.golden("http1/06-pipelined").connections().get(0), Role.SERVER, 42L);

    @Test
    void aRoundTripKeepsIdentityCountersTimersAndWhatIsInFlight() throws IOException {
        FlowSession s = session();
        FlowSession back = roundTrip(s);

        assertThat(back).usingRecursiveComparison()
                .ignoringFields("inFlight", "inFlightBytes")
                .isEqualTo(s);
        InFlight f = back.peekInFlight(REGISTRY);
        assertThat(f.pending.size()).isEqualTo(1);
        assertThat(f.ordering[heldDirection()].holding()).isTrue();
        assertThat(f.ordering[1 - heldDirection()].holding()).isFalse();
        assertThat(f.undecided).hasSize(1);
        assertThat(f.undecided.get(0).event()).isEqualTo(events.get(0));
    }

    @Test
    void theEncodedInFlightPartsAreReusedUntilTheFlowChangesThem() throws IOException {
        FlowSession s = session();
        byte[] first = s.inFlightBytes();
        roundTrip(s);
        s.peekInFlight(REGISTRY).pending.oldestStartNs();
        assertThat(s.inFlightBytes()).isSameAs(first);

        s.inFlight(REGISTRY).pending.drain();
        byte[] second = s.inFlightBytes();
        assertThat(second).isNotSameAs(first);
        assertThat(roundTrip(s).peekInFlight(REGISTRY).pending.size()).isZero();
    }

    @Test
    void anIdleConnectionsInFlightPartsStaySmall() {
        FlowSession s = FlowSession.start(events.get(0));
        s.detector.protocol = L7Protocol.HTTP1;
        s.inFlight(REGISTRY).decoders = REGISTRY.parser(L7Protocol.HTTP1).orElseThrow().newConnection();
        // every open flow's bytes are kept in memory and written into every checkpoint; raw Java serialization of
        // this graph was ~7 KB (class descriptors, the parser's header table, the buffers' spare capacity), and
        // ~1 KB in deflated compact Java serialization
        assertThat(s.inFlightBytes().length).isLessThan(200);
        assertThat(FlowSession.start(events.get(0)).inFlightBytes().length).isLessThan(100);
    }

    @Test
    void decodersBetweenMessagesAreWrittenInTheirOwnFormatAndDecodeOnAfterARestore() throws IOException {
        List<SocketDataEvent> events = CapturedFlows.dataEvents(
                CapturedFlows.golden("http1/01-get-keepalive").connections().get(0), Role.SERVER, 42L);
        FlowSession s = FlowSession.start(events.get(0));
        s.detector.protocol = L7Protocol.HTTP1;
        InFlight f = s.inFlight(REGISTRY);
        f.decoders = REGISTRY.parser(L7Protocol.HTTP1).orElseThrow().newConnection();
        SocketDataEvent request = events.get(0);
        List<Decoding.Output> decoded = new ArrayList<>();
        MessageSink sink = Decoding.sink(FlowDirection.CLIENT_TO_SERVER, decoded);
        f.decoders.clientToServer().feed(segment(request), sink);
        assertThat(decoded).hasSize(1).allMatch(o -> o instanceof Decoding.Emitted);
        assertThat(f.decoders.hasStateFormat()).isTrue();

        FlowSession back = roundTrip(s);
        assertThat(back.inFlightBytes()[0]).isEqualTo(InFlightFormat.PARTS);
        InFlight restored = back.peekInFlight(REGISTRY);
        assertThat(restored.decoders.clientToServer()).isInstanceOf(f.decoders.clientToServer().getClass())
                .isNotSameAs(f.decoders.clientToServer());
        // the restored decoder goes on where the original was: the next request decodes the same from both
        SocketDataEvent next = events.stream().filter(e -> e.getDirection() == request.getDirection()
                && e.getDataSeq() > request.getDataSeq()).findFirst().orElseThrow();
        decoded.clear();
        f.decoders.clientToServer().feed(segment(next), sink);
        List<Decoding.Output> fromOriginal = List.copyOf(decoded);
        decoded.clear();
        restored.decoders.clientToServer().feed(segment(next), sink);
        assertThat(fromOriginal).hasSize(1).allMatch(o -> o instanceof Decoding.Emitted);
        assertThat(decoded).isEqualTo(fromOriginal);
    }

    @Test
    void aPartInJavaSerializationThatNoLongerReadsIsDroppedAloneAndTheDecodersAreKept() throws IOException {
        // decoders in their own format, then requests awaiting an answer whose classes changed since they were
        // written (here: bytes that are not Java serialization at all), then the two orderings
        FlowSession original = FlowSession.start(events.get(0));
        original.detector.protocol = L7Protocol.HTTP1;
        original.inFlight(REGISTRY).decoders = REGISTRY.parser(L7Protocol.HTTP1).orElseThrow().newConnection();
        original.inFlight(REGISTRY).ordering[0].accept(events.get(0), 8);
        DataOutputSerializer out = new DataOutputSerializer(256);
        out.writeByte(InFlightFormat.PARTS);
        out.writeByte(InFlightFormat.NONE);
        out.writeByte(InFlightFormat.OWN);
        original.peekInFlight(REGISTRY).decoders.writeState(out);
        out.writeByte(InFlightFormat.JAVA);
        out.writeInt(3);
        out.write(new byte[] {1, 2, 3});
        for (SegmentOrdering o : original.peekInFlight(REGISTRY).ordering) {
            out.writeByte(InFlightFormat.OWN);
            o.writeState(out);
        }
        FlowSession s = FlowSession.start(events.get(0));
        s.detector.protocol = L7Protocol.HTTP1;
        s.restoreInFlight(out.getCopyOfBuffer());

        InFlight f = s.peekInFlight(REGISTRY);
        assertThat(f.decoders).isNotNull();
        assertThat(f.pending.size()).isZero();
        assertThat(s.detector.decided()).isTrue();
        // the ordering kept its place in the stream: the next bytes are not taken for a hole
        assertThat(f.ordering[0].accept(events.get(0), 8)).isEmpty();
    }

    @Test
    void inFlightStateWrittenBeforeTheFormatOfPartsIsStillRead() throws IOException {
        FlowSession s = session();
        // what InFlight.encode wrote before InFlightFormat: the whole InFlight, deflated compact Java serialization
        s.restoreInFlight(InFlightFormat.java(s.peekInFlight(REGISTRY)));

        InFlight f = s.peekInFlight(REGISTRY);
        assertThat(f.pending.size()).isEqualTo(1);
        assertThat(f.ordering[heldDirection()].holding()).isTrue();
        assertThat(f.undecided).hasSize(1);
    }

    @Test
    void aCopySharesNoMutableStateWithItsOriginal() {
        FlowSession s = session();
        FlowSession copy = SERIALIZER.copy(s);
        copy.inFlight(REGISTRY).pending.drain();
        copy.timers.clear();
        copy.bytes[0] = 99;
        copy.detector.attempts = 7;

        assertThat(s.peekInFlight(REGISTRY).pending.size()).isEqualTo(1);
        assertThat(s.timers).containsExactly(1_000L, 2_000L);
        assertThat(s.bytes[0]).isEqualTo(120);
        assertThat(s.detector.attempts).isEqualTo(1);
    }

    @Test
    void aCopyTakesOverTheInFlightObjectsAndTheOriginalKeepsTheirEncodedForm() throws IOException {
        FlowSession s = session();
        InFlight objects = s.peekInFlight(REGISTRY);
        FlowSession copy = SERIALIZER.copy(s);

        // the copy (what the task changes) decodes nothing; the original (what a snapshot writes) has the bytes
        assertThat(copy.peekInFlight(REGISTRY)).isSameAs(objects);
        assertThat(s.inFlightDecoded()).isFalse();
        copy.inFlight(REGISTRY).pending.drain();
        assertThat(s.peekInFlight(REGISTRY).pending.size()).isEqualTo(1);
        assertThat(roundTrip(copy).peekInFlight(REGISTRY).pending.size()).isZero();
    }

    @Test
    void unreadableInFlightBytesRestartDetectionInsteadOfFailing() {
        FlowSession s = session();
        s.restoreInFlight(new byte[] {1, 2, 3});

        InFlight f = s.peekInFlight(REGISTRY);
        assertThat(f.pending.size()).isZero();
        assertThat(f.decoders).isNull();
        assertThat(s.detector.decided()).isFalse();
        assertThat(s.flowId).isNotNull();
    }

    @Test
    void stateOfTheWholeSessionInJavaSerializationMigratesAndForeignStateIsRefused() {
        FlowSessionSerializer.Snapshot current = new FlowSessionSerializer.Snapshot();
        assertThat(current.resolveSchemaCompatibility(new FlowSessionSerializer.Snapshot()).isCompatibleAsIs())
                .isTrue();
        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializerSchemaCompatibility<FlowSession> old = current.resolveSchemaCompatibility(
                (JavaSerializedTypeInfo.Snapshot) JavaSerializedTypeInfo.forClass(InFlight.class)
                        .createSerializer(null).snapshotConfiguration());
        assertThat(old.isCompatibleAfterMigration()).isTrue();
        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializerSchemaCompatibility<FlowSession> foreign = current.resolveSchemaCompatibility(
                (org.apache.flink.api.common.typeutils.TypeSerializerSnapshot) new org.apache.flink.api.common
                        .typeutils.base.StringSerializer.StringSerializerSnapshot());
        assertThat(foreign.isIncompatible()).isTrue();
    }

    @Test
    void aLayoutThisJobDoesNotKnowIsAnErrorNotGarbage() {
        DataInputDeserializer in = new DataInputDeserializer(new byte[] {9, 0, 0});
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SERIALIZER.deserialize(in))
                .isInstanceOf(IOException.class).hasMessageContaining("layout 9");
    }

    /** A session with a field of every kind set, a request awaiting its answer and a segment held for a hole. */
    private FlowSession session() {
        FlowSession s = FlowSession.start(events.get(0));
        s.bytes[0] = 120;
        s.syscalls[1] = 3;
        s.messageOrdinals[0] = 2;
        s.connectLatencyNs = 350_000L;
        s.srttUs = 42L;
        s.retransmits = 1;
        s.closeType = CloseType.RESET;
        s.closeNs = 77L;
        s.flowLogSequence = 4;
        s.detector.attempts = 1;
        s.detector.protocol = null;
        s.timers.add(1_000L);
        s.timers.add(2_000L);
        InFlight f = s.inFlight(REGISTRY);
        f.undecided.add(new SegmentOrdering.Ready(events.get(0), 0));
        f.pending.add(new PendingRequest(L7Message.builder(L7Protocol.HTTP1, MessageKind.REQUEST).build(), 7, 0,
                events.get(0).getTimestampNs()), 8);
        f.ordering[heldDirection()].accept(laterSegment(), 8);
        return s;
    }

    /** A segment that is not its direction's first: accepted alone it waits for the hole in front of it. */
    private SocketDataEvent laterSegment() {
        return events.stream().filter(e -> e.getDataSeq() > 0).findFirst().orElseThrow();
    }

    private int heldDirection() {
        return laterSegment().getDirection().ordinal() - 1;
    }

    private static Segment segment(SocketDataEvent e) {
        byte[] payload = new byte[e.getPayload().remaining()];
        e.getPayload().duplicate().get(payload);
        return new Segment(payload, 0, payload.length, e.getByteCount(), e.getTimestampNs(),
                Segment.NO_TCP_SEQ, 0);
    }

    private static FlowSession roundTrip(FlowSession s) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        SERIALIZER.serialize(s, out);
        return SERIALIZER.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }
}
