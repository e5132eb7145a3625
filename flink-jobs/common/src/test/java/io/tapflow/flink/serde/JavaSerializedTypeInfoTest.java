package io.tapflow.flink.serde;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class JavaSerializedTypeInfoTest {

    enum Phase { OPEN, CLOSING }

    /** A graph like the reassembler's: nested objects, arrays, a map, an enum, a shared reference, a null. */
    static final class Session implements Serializable {
        private static final long serialVersionUID = 1L;
        String name;
        Phase phase = Phase.OPEN;
        final long[] counters = new long[2];
        final TreeMap<Long, byte[]> held = new TreeMap<>();
        final List<Part> parts = new ArrayList<>();
        Part current;
        Long optional;

        @Override
        public boolean equals(Object o) {
            return o instanceof Session s && Objects.equals(name, s.name) && phase == s.phase
                    && java.util.Arrays.equals(counters, s.counters) && held.keySet().equals(s.held.keySet())
                    && parts.equals(s.parts) && Objects.equals(current, s.current)
                    && Objects.equals(optional, s.optional);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, phase);
        }
    }

    record Part(String label, int size) implements Serializable {
    }

    private static Session session() {
        Session s = new Session();
        s.name = "agent/42";
        s.phase = Phase.CLOSING;
        s.counters[1] = 7;
        s.held.put(100L, "GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
        s.parts.add(new Part("a", 1));
        s.parts.add(new Part("b", 2));
        s.current = s.parts.get(1);
        return s;
    }

    private final TypeSerializer<Session> serializer =
            JavaSerializedTypeInfo.forClass(Session.class).createSerializer(new SerializerConfigImpl());

    @Test
    void valuesRoundTripBackToBackAndSharedReferencesStayShared() throws Exception {
        Session first = session();
        Session second = session();
        second.optional = 5L;
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(first, out);
        serializer.serialize(second, out);
        out.writeInt(0xCAFE);

        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        Session readFirst = serializer.deserialize(in);
        assertThat(readFirst).isEqualTo(first);
        assertThat(readFirst.current).isSameAs(readFirst.parts.get(1));
        assertThat(serializer.deserialize(in)).isEqualTo(second);
        assertThat(in.readInt()).isEqualTo(0xCAFE);
    }

    @Test
    void copyIsDeep() {
        Session original = session();
        Session copy = serializer.copy(original);
        assertThat(copy).isEqualTo(original).isNotSameAs(original);
        copy.counters[0] = 99;
        copy.held.get(100L)[0] = 'X';
        assertThat(original.counters[0]).isZero();
        assertThat(original.held.get(100L)[0]).isEqualTo((byte) 'G');
    }

    @Test
    void compactFormIsSmallerThanTheJdkFormWhichStillReads() throws Exception {
        Session s = session();
        byte[] jdk = InstantiationUtil.serializeObject(s);
        DataOutputSerializer compact = new DataOutputSerializer(64);
        serializer.serialize(s, compact);
        assertThat(compact.length() - 4).isLessThan(jdk.length * 3 / 4);

        // a value checkpointed before the compact form: length-prefixed JDK serialization
        DataOutputSerializer old = new DataOutputSerializer(64);
        old.writeInt(jdk.length);
        old.write(jdk);
        assertThat(serializer.deserialize(new DataInputDeserializer(old.getCopyOfBuffer()))).isEqualTo(s);
    }

    @Test
    void aValueWhoseClassFieldsChangedRestoresAsNull() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(session(), out);
        byte[] bytes = out.getCopyOfBuffer();
        // the fingerprint follows the class name: what a reader with a different Part class would compute differs
        byte[] name = Part.class.getName().getBytes(StandardCharsets.UTF_8);
        int at = indexOf(bytes, name) + name.length;
        bytes[at] ^= 0x55;

        assertThat(serializer.deserialize(new DataInputDeserializer(bytes))).isNull();
    }

    @Test
    void duplicatesAreEqualButIndependent() {
        assertThat(serializer.duplicate()).isEqualTo(serializer).isNotSameAs(serializer);
        assertThat(serializer.snapshotConfiguration().restoreSerializer()).isEqualTo(serializer);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
