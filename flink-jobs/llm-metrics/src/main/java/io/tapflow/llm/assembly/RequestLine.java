package io.tapflow.llm.assembly;

import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.MessageKind;
import io.tapflow.schema.L7Protocol;
import java.nio.charset.StandardCharsets;

/**
 * The method and request-target of an HTTP/1 request line read straight from the first captured bytes of a
 * connection, so that a flow whose first request is not on an LLM route is dropped before its body is decoded and
 * held.
 */
final class RequestLine {

    /** Methods are short tokens; a target longer than this is not worth reading here (the decoder will). */
    private static final int MAX_LINE = 8 * 1024;

    private RequestLine() {
    }

    /**
     * A request message holding only the method and target of the request line at {@code a[off, off+len)}, or
     * null when the line does not end (with its target) within the captured bytes.
     */
    static L7Message peek(byte[] a, int off, int len) {
        int end = off + Math.min(len, MAX_LINE);
        int sp = -1;
        for (int i = off; i < end && i < off + 16; i++) {
            if (a[i] == ' ') {
                sp = i;
                break;
            }
        }
        if (sp <= off) {
            return null;
        }
        int target = sp + 1;
        for (int i = target; i < end; i++) {
            if (a[i] == ' ' || a[i] == '\r' || a[i] == '\n') {
                if (i == target) {
                    return null;
                }
                return L7Message.builder(L7Protocol.HTTP1, MessageKind.REQUEST)
                        .requestType(new String(a, off, sp - off, StandardCharsets.US_ASCII))
                        .requestResource(new String(a, target, i - target, StandardCharsets.ISO_8859_1))
                        .build();
            }
        }
        return null;
    }
}
