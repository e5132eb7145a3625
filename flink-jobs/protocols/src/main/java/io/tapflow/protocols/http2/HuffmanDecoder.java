package io.tapflow.protocols.http2;

/**
 * The HPACK Huffman decoder (RFC 7541 §5.2, code of Appendix B), table-driven: a nibble at a time through a
 * 256-state automaton built once from the code lengths.
 *
 * <p>The Appendix B code is canonical (codes of equal length are consecutive in symbol order, shorter codes
 * first), so the code lengths alone define it; the class derives the codes from them and checks that the code is
 * complete. Every state is an internal node of the code tree; since no code is shorter than 5 bits, one nibble
 * emits at most one symbol.
 */
final class HuffmanDecoder {

    /** Code length in bits of symbols 0..255 and EOS (256), RFC 7541 Appendix B. */
    private static final byte[] LENGTHS = {
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
        28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
        6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,
        5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
        13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
        7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
        15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
        6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
        20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
        24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
        22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
        21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
        26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
        19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
        20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
        26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
        30,
    };

    private static final int EOS = 256;
    private static final int EMIT = 0x100;
    private static final int FAIL = 0x200;

    /** Code of each symbol, right-aligned in {@link #LENGTHS}[sym] bits. */
    static final int[] CODES = new int[257];
    /** {@code TRANSITIONS[state * 16 + nibble]} = next state << 16 | FAIL? | EMIT? | symbol. */
    private static final int[] TRANSITIONS = new int[256 * 16];
    /** States where the input may end: the root, or a run of at most 7 one-bits (a prefix of EOS, §5.2). */
    private static final boolean[] ACCEPTING = new boolean[256];

    static {
        assignCanonicalCodes();
        buildAutomaton();
    }

    private HuffmanDecoder() {
    }

    /**
     * Decodes {@code src[off, off+len)} into {@code dst} from index 0.
     *
     * @return the number of bytes written, or -1 when the input is not a valid Huffman string (EOS inside, more
     *         than 7 bits of padding, padding that is not EOS's prefix) or {@code dst} is too small
     */
    static int decode(byte[] src, int off, int len, byte[] dst) {
        int state = 0;
        int n = 0;
        for (int i = off, end = off + len; i < end; i++) {
            int b = src[i] & 0xFF;
            int t = TRANSITIONS[(state << 4) | (b >>> 4)];
            if ((t & (FAIL | EMIT)) != 0) {
                if ((t & FAIL) != 0 || n == dst.length) {
                    return -1;
                }
                dst[n++] = (byte) t;
            }
            state = t >>> 16;
            t = TRANSITIONS[(state << 4) | (b & 0xF)];
            if ((t & (FAIL | EMIT)) != 0) {
                if ((t & FAIL) != 0 || n == dst.length) {
                    return -1;
                }
                dst[n++] = (byte) t;
            }
            state = t >>> 16;
        }
        return ACCEPTING[state] ? n : -1;
    }

    /** Upper bound of the decoded length of {@code len} Huffman bytes (the shortest code has 5 bits). */
    static int maxDecodedLength(int len) {
        return len * 8 / 5 + 1;
    }

    private static void assignCanonicalCodes() {
        long code = 0;
        int prevLen = 0;
        double kraft = 0;
        for (int len = 1; len <= 30; len++) {
            for (int sym = 0; sym <= EOS; sym++) {
                if (LENGTHS[sym] == len) {
                    code <<= len - prevLen;
                    prevLen = len;
                    CODES[sym] = (int) code++;
                    kraft += Math.pow(2, -len);
                }
            }
        }
        if (kraft != 1.0) {
            throw new IllegalStateException("HPACK Huffman code lengths do not form a complete code: " + kraft);
        }
    }

    private static void buildAutomaton() {
        // tree: children of internal node i at [2i] (bit 0) and [2i+1] (bit 1); >= 0 internal, < 0 leaf -(sym+1)
        int[] child = new int[512];
        int[] depth = new int[256];
        boolean[] allOnes = new boolean[256];
        allOnes[0] = true;
        int nodes = 1;
        for (int sym = 0; sym <= EOS; sym++) {
            int len = LENGTHS[sym];
            int node = 0;
            for (int i = len - 1; i >= 0; i--) {
                int bit = (CODES[sym] >>> i) & 1;
                int slot = 2 * node + bit;
                if (i == 0) {
                    child[slot] = -(sym + 1);
                } else {
                    if (child[slot] == 0) {
                        child[slot] = nodes;
                        depth[nodes] = depth[node] + 1;
                        allOnes[nodes] = allOnes[node] && bit == 1;
                        nodes++;
                    }
                    node = child[slot];
                }
            }
        }
        for (int s = 0; s < 256; s++) {
            ACCEPTING[s] = s == 0 || (allOnes[s] && depth[s] <= 7);
            for (int nibble = 0; nibble < 16; nibble++) {
                int node = s;
                int out = 0;
                for (int i = 3; i >= 0; i--) {
                    int next = child[2 * node + ((nibble >>> i) & 1)];
                    if (next < 0) {
                        int sym = -next - 1;
                        out = sym == EOS ? FAIL : EMIT | sym;
                        node = 0;
                        if (sym == EOS) {
                            break;
                        }
                    } else {
                        node = next;
                    }
                }
                TRANSITIONS[s * 16 + nibble] = node << 16 | out;
            }
        }
    }
}
