package io.tapflow.protocols;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What the decoders' hand-written state formats ({@link StreamDecoder#writeState}) have in common: enum constants
 * by a fixed code, strings of any length, string maps, the format check.
 */
public final class StateFormats {

    private StateFormats() {
    }

    /**
     * The code of {@code value} in a state format: its index in {@code codes}, the format's fixed list (never an
     * ordinal: renaming or adding constants must not shift what is already written), or -1 when it has none.
     */
    public static <E> int code(E[] codes, E value) {
        for (int i = 0; i < codes.length; i++) {
            if (codes[i] == value) {
                return i;
            }
        }
        return -1;
    }

    /** The value of a code {@link #code} gave; an IOException for a code this version does not know. */
    public static <E> E fromCode(E[] codes, int code, String what) throws IOException {
        if (code < 0 || code >= codes.length) {
            throw new IOException(what + " code " + code + " is unknown to this version");
        }
        return codes[code];
    }

    /** An IOException unless {@code format} is the one this version of a decoder reads. */
    public static void require(int format, int known, String decoder) throws IOException {
        if (format != known) {
            throw new IOException(decoder + " decoder state format " + format + " is unknown to this version");
        }
    }

    /** A nullable string in a state format: UTF-8 with an int length first (-1: null), any length. */
    public static void writeString(DataOutput out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    public static String readString(DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** A map of strings in a state format, in its iteration order (an access-ordered map keeps its order). */
    public static void writeMap(DataOutput out, Map<String, String> map) throws IOException {
        out.writeInt(map.size());
        for (Map.Entry<String, String> e : map.entrySet()) {
            writeString(out, e.getKey());
            writeString(out, e.getValue());
        }
    }

    /** Reads what {@link #writeMap} wrote into {@code map}, after what it holds. */
    public static void readMap(DataInput in, Map<String, String> map) throws IOException {
        for (int n = in.readInt(); n > 0; n--) {
            map.put(readString(in), readString(in));
        }
    }
}
