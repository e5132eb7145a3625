package io.tapflow.flink.serde;

import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.io.StreamCorruptedException;
import java.util.Map;

/**
 * Reads what {@link CompactObjectOutputStream} wrote: a class is its name, resolved with the given class loader, and
 * the fingerprint of its serialized fields, which must equal the local class's (else {@link InvalidClassException}).
 */
final class CompactObjectInputStream extends ObjectInputStream {

    private final ClassLoader classLoader;
    /** Classes by name, resolved with {@link #classLoader}, shared by the streams of one serializer. */
    private final Map<String, Class<?>> classes;

    CompactObjectInputStream(InputStream in, ClassLoader classLoader, Map<String, Class<?>> classes)
            throws IOException {
        super(in);
        this.classLoader = classLoader;
        this.classes = classes;
    }

    @Override
    protected void readStreamHeader() throws IOException {
        short magic = readShort();
        short version = readShort();
        if (magic != CompactObjectOutputStream.MAGIC || version != CompactObjectOutputStream.VERSION) {
            throw new StreamCorruptedException(String.format("not a compact object stream: %04x %04x", magic,
                    version));
        }
    }

    @Override
    protected ObjectStreamClass readClassDescriptor() throws IOException, ClassNotFoundException {
        String name = readUTF();
        long fingerprint = readLong();
        ObjectStreamClass local = ObjectStreamClass.lookupAny(resolve(name));
        if (CompactObjectOutputStream.fingerprint(local) != fingerprint) {
            throw new InvalidClassException(name, "serialized fields differ from the local class's");
        }
        return local;
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
        return resolve(desc.getName());
    }

    private Class<?> resolve(String name) throws ClassNotFoundException {
        Class<?> known = classes.get(name);
        if (known == null) {
            known = Class.forName(name, false, classLoader);
            classes.put(name, known);
        }
        return known;
    }
}
