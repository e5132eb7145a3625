package io.tapflow.flowagg.reassembly;

import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.ObjectStreamField;
import java.io.OutputStream;

/**
 * Java serialization whose class descriptors are the class name and a fingerprint of its serialized fields, not
 * the full descriptor (every field's name and type, for every class, in every value). The descriptors were most of
 * the bytes and of the encoding time of a flow's in-flight state, and the reader always has the classes: the state
 * is read back by the same job. A class whose serialized fields changed since the bytes were written is refused
 * ({@link InvalidClassException}), never misread.
 */
final class CompactSerialization {

    private static final ClassValue<Long> FINGERPRINTS = new ClassValue<>() {
        @Override
        protected Long computeValue(Class<?> type) {
            ObjectStreamClass desc = ObjectStreamClass.lookupAny(type);
            long h = 1125899906842597L;
            h = mix(h, desc.getName());
            for (ObjectStreamField f : desc.getFields()) {
                h = mix(h, f.getName());
                h = mix(h, f.getTypeString() == null ? String.valueOf(f.getTypeCode()) : f.getTypeString());
            }
            return h;
        }
    };

    private CompactSerialization() {
    }

    static ObjectOutputStream output(OutputStream out) throws IOException {
        return new ObjectOutputStream(out) {
            @Override
            protected void writeClassDescriptor(ObjectStreamClass desc) throws IOException {
                writeUTF(desc.getName());
                writeLong(FINGERPRINTS.get(desc.forClass()));
            }
        };
    }

    static ObjectInputStream input(InputStream in, ClassLoader loader) throws IOException {
        return new ObjectInputStream(in) {
            @Override
            protected ObjectStreamClass readClassDescriptor() throws IOException, ClassNotFoundException {
                String name = readUTF();
                long fingerprint = readLong();
                Class<?> type = Class.forName(name, false, loader);
                if (FINGERPRINTS.get(type) != fingerprint) {
                    throw new InvalidClassException(name, "its serialized fields changed since the state was written");
                }
                return ObjectStreamClass.lookupAny(type);
            }

            @Override
            protected Class<?> resolveClass(ObjectStreamClass desc) throws ClassNotFoundException {
                return Class.forName(desc.getName(), false, loader);
            }
        };
    }

    private static long mix(long h, String s) {
        for (int i = 0; i < s.length(); i++) {
            h = 31 * h + s.charAt(i);
        }
        return h * 0x9E3779B97F4A7C15L;
    }
}
