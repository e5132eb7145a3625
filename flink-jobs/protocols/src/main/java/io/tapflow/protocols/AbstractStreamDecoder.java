package io.tapflow.protocols;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The loop every decoder shares: buffer the segment, let the protocol decode one step at a time, and turn every
 * failure into a {@link DecodeError} plus a resynchronisation at the next segment boundary (where messages usually
 * start). The loop guarantees the {@link StreamDecoder} contract for all protocols: each step must consume bytes
 * or it counts as an internal error, so a feed never loops; exceptions never escape; a header that outgrows
 * {@link ParserOptions#maxBufferedBytes()} or that runs into uncaptured bytes is dropped.
 */
public abstract class AbstractStreamDecoder implements StreamDecoder {

    /** Outcome of one {@link #decode} step. */
    protected enum Step {
        /** Bytes were consumed (and maybe a message emitted); call again. */
        PROGRESS,
        /** The contiguous bytes do not complete the next unit; wait for more. */
        NEED_MORE,
        /** The bytes violate the protocol; {@link #malformed} says why. */
        DESYNC
    }

    protected final StreamBuffer in = new StreamBuffer();
    protected final ParserOptions options;
    private String malformedReason = "malformed";

    protected AbstractStreamDecoder(ParserOptions options) {
        this.options = options;
    }

    /**
     * Decodes at most one unit (a header, a body part, a frame, a message) from {@link #in} at its read position,
     * consuming what it decoded with {@link StreamBuffer#skip}.
     */
    protected abstract Step decode(MessageSink out);

    /** Forgets the state of a partly decoded message; called before resynchronising. */
    protected abstract void reset();

    /** The stream ended; emit what only the end completes. Default: nothing. */
    protected void onClose(MessageSink out) {
    }

    /**
     * Writes the state in the format {@link #stateFormat()} says: the buffer, then the subclass's fields
     * ({@link #writeStateFields}). A subclass with a state format overrides {@link #stateFormat()} and the two
     * field methods.
     */
    @Override
    public final void writeState(DataOutput out) throws IOException {
        if (stateFormat() <= 0) {
            throw new IllegalStateException(getClass().getSimpleName() + " has no state format in its current state");
        }
        in.writeState(out);
        writeStateFields(out);
    }

    /** Reads what {@link #writeState} wrote: forgets any message part-way ({@link #reset}), then buffer and fields. */
    @Override
    public final void readState(DataInput from, int format) throws IOException {
        if (format <= 0) {
            throw new IOException(getClass().getSimpleName() + " state format " + format + " does not exist");
        }
        reset();
        in.readState(from);
        readStateFields(from, format);
    }

    /** The subclass's part of {@link #writeState}, after the buffer. */
    protected void writeStateFields(DataOutput out) throws IOException {
        throw new UnsupportedOperationException(getClass().getName() + " has no state format");
    }

    /**
     * The subclass's part of {@link #readState}, after the buffer, on a decoder just {@link #reset}; an
     * IOException for a {@code format} this version does not read ({@link StateFormats#require}).
     */
    protected void readStateFields(DataInput from, int format) throws IOException {
        throw new IOException(getClass().getName() + " reads no state format, was given format " + format);
    }

    /** Records why the bytes are malformed and returns {@link Step#DESYNC}. */
    protected final Step malformed(String reason) {
        this.malformedReason = reason;
        return Step.DESYNC;
    }

    @Override
    public final void feed(Segment segment, MessageSink out) {
        in.appendInPlace(segment);
        try {
            decodeAll(out);
        } finally {
            in.release(); // the segment's array is not kept past this call
        }
    }

    private void decodeAll(MessageSink out) {
        while (in.available() > 0) {
            long before = in.position();
            Step step;
            try {
                step = decode(out);
            } catch (RuntimeException e) {
                resync(out, DecodeError.Kind.INTERNAL, "decoder threw " + e);
                continue;
            }
            switch (step) {
                case NEED_MORE -> {
                    if (in.contiguous() < in.available()) {
                        resync(out, DecodeError.Kind.UNCAPTURED, "needed bytes that were not captured");
                    } else if (in.buffered() > options.maxBufferedBytes()) {
                        resync(out, DecodeError.Kind.OVERSIZED,
                                "more than " + options.maxBufferedBytes() + " bytes without a complete unit");
                    } else {
                        return;
                    }
                }
                case DESYNC -> resync(out, DecodeError.Kind.MALFORMED, malformedReason);
                case PROGRESS -> {
                    if (in.position() <= before) {
                        resync(out, DecodeError.Kind.INTERNAL, "step made no progress");
                    }
                }
            }
        }
    }

    @Override
    public final void close(MessageSink out) {
        try {
            onClose(out);
        } catch (RuntimeException e) {
            out.error(new DecodeError(DecodeError.Kind.INTERNAL, "close threw " + e, in.position()));
        }
        reset();
        in.clear();
    }

    private void resync(MessageSink out, DecodeError.Kind kind, String detail) {
        out.error(new DecodeError(kind, detail, in.position()));
        malformedReason = "malformed";
        try {
            reset();
        } catch (RuntimeException e) {
            out.error(new DecodeError(DecodeError.Kind.INTERNAL, "reset threw " + e, in.position()));
        }
        in.mark(-1);
        in.discardToNextSegment();
    }
}
