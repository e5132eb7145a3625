package io.tapflow.protocols.http1;

/**
 * The head parser's own word-at-a-time search primitives ({@link Http1HeadParser#word},
 * {@link Http1HeadParser#matches}), open to the benchmarks outside this package: what finding every delimiter of a
 * head costs, apart from everything else the parser does.
 */
public final class HeadDelimiters {

    private static final long LF = Http1HeadParser.pattern((byte) '\n');
    private static final long COLON = Http1HeadParser.pattern((byte) ':');

    private HeadDelimiters() {
    }

    /** How many {@code '\n'} and {@code ':'} bytes {@code b} holds, 8 bytes per step. */
    public static int count(byte[] b) {
        int n = 0;
        int i = 0;
        for (; i + Long.BYTES <= b.length; i += Long.BYTES) {
            long w = Http1HeadParser.word(b, i);
            n += Long.bitCount(Http1HeadParser.matches(w, LF) | Http1HeadParser.matches(w, COLON));
        }
        for (; i < b.length; i++) {
            if (b[i] == '\n' || b[i] == ':') {
                n++;
            }
        }
        return n;
    }
}
