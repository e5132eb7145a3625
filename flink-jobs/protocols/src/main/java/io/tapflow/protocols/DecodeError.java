package io.tapflow.protocols;

/**
 * Why a decoder dropped bytes. Decoders never throw on input: they report this and resynchronise at the next
 * segment boundary.
 *
 * @param kind     what went wrong
 * @param detail   a short human-readable explanation (never the payload itself)
 * @param position stream position where it happened
 */
public record DecodeError(Kind kind, String detail, long position) {

    public enum Kind {
        /** Bytes that do not follow the protocol's grammar. */
        MALFORMED,
        /** A header or frame larger than the decoder's memory bound. */
        OVERSIZED,
        /** Bytes the decoder needed (a header, a length prefix) were not captured. */
        UNCAPTURED,
        /** A decoder bug: an exception or a step without progress. Counted separately; tests demand zero. */
        INTERNAL
    }
}
