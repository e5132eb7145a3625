package io.tapflow.protocols.redis;

import io.tapflow.protocols.AbstractStreamDecoder;
import io.tapflow.protocols.DeclaredBody;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.MessageKind;
import io.tapflow.protocols.MessageSink;
import io.tapflow.protocols.ParserOptions;
import io.tapflow.protocols.StateFormats;
import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.ResponseStatus;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Locale;

/**
 * Decodes one direction of a Redis connection, RESP2 and RESP3, one RESP line or one bulk payload per step.
 *
 * <p>Values are walked, not built: aggregates only push their element count on a stack, and a bulk payload is
 * skipped by its declared length, across uncaptured bytes and before it has all arrived, so a 1 MB GET value of
 * which only 1024-byte prefixes were captured costs nothing and keeps sync. Only the few bytes a message carries
 * are read: the command name, the subcommand, the one resource argument (see {@link RedisCommands}), the error
 * text, the protocol version HELLO asks for.
 *
 * <p>Pairing: every request and every response has {@link L7Message#IN_ORDER}. RESP3 push messages ('>',
 * e.g. client-tracking invalidations, pub/sub messages) are not answers: they carry the attribute
 * {@code push=true} and status UNKNOWN, and pairing must skip them. (RESP2 pub/sub messages are plain arrays and
 * cannot be told apart from replies; a subscribed RESP2 connection pairs badly, as in DeepFlow.) A RESP3
 * attribute ('|') is metadata of the reply that follows it: it is folded into that reply's message.
 *
 * <p>Version: "3" from a HELLO 3 request on (request side) or from the first RESP3-only type on (response side,
 * the HELLO 3 reply is a map), else "2". Inline commands (telnet style) are split on blanks, without quotes.
 */
final class RedisDecoder extends AbstractStreamDecoder {

    /** Deepest nesting accepted; real replies (COMMAND DOCS) stay under 10. */
    static final int MAX_DEPTH = 64;
    /** Bytes of a resource or an error text kept. */
    static final int MAX_TEXT = 256;
    /** Bytes of a command or subcommand name read. */
    private static final int MAX_NAME = 64;

    private static final int F_NONE = 0;
    private static final int F_COMMAND = 1;
    private static final int F_ARG1 = 2;
    private static final int F_ARG2 = 3;
    private static final int F_ERROR = 4;

    private final boolean requests;
    private boolean resp3;

    private boolean inMessage;
    private long msgStart;
    private boolean truncated;
    private byte topType;
    private boolean topNull;
    private boolean push;
    private String command;
    private String subcommand;
    private String resource;
    private String error;
    private int helloVersion;
    private RedisCommands.Resource resourceKind = RedisCommands.Resource.NONE;

    private final long[] remaining = new long[MAX_DEPTH];
    private final boolean[] attribute = new boolean[MAX_DEPTH];
    private int depth;
    private long topChildren;

    /** The bulk payload (and its CR LF) being skipped. */
    private final DeclaredBody payload = new DeclaredBody();
    private int field = F_NONE;
    private int fieldBytes;

    RedisDecoder(ParserOptions options, boolean requests) {
        super(options);
        this.requests = requests;
    }

    @Override
    protected Step decode(MessageSink out) {
        if (payload.active()) {
            return field != F_NONE ? readField(out) : skipPayload(out);
        }
        int c = in.contiguous();
        if (c == 0) {
            return Step.NEED_MORE;
        }
        if (!inMessage) {
            inMessage = true;
            msgStart = in.position();
            in.mark(msgStart);
        }
        byte t = in.get(0);
        if (requests && depth == 0 && topType == 0 && t != '*') {
            return inline(out, c);
        }
        int nl = in.indexOf((byte) '\n', 0, c);
        if (nl < 0) {
            return Step.NEED_MORE;
        }
        if (nl < 2 || in.get(nl - 1) != '\r') {
            return malformed("RESP line without CR LF");
        }
        return header(t, nl - 1, out);
    }

    /** One RESP line {@code [0, lineEnd)} (the CR is at lineEnd) of type {@code t}. */
    private Step header(byte t, int lineEnd, MessageSink out) {
        boolean top = depth == 0;
        switch (t) {
            case '*', '%', '~', '>', '|' -> {
                long n = number(1, lineEnd);
                if (n < -1 || n == Long.MIN_VALUE || n > Long.MAX_VALUE / 4) {
                    return malformed("bad aggregate length");
                }
                if (t != '*') {
                    resp3 = true;
                }
                if (t == '%' || t == '|') {
                    n *= 2;
                }
                if (top && t != '|') {
                    topType = t;
                    topNull = n < 0;
                    push = t == '>';
                }
                in.skip(lineEnd + 2L);
                if (n <= 0) {
                    if (t != '|') {
                        elementDone(out);
                    }
                    return Step.PROGRESS;
                }
                if (depth == MAX_DEPTH) {
                    return malformed("nesting deeper than " + MAX_DEPTH);
                }
                remaining[depth] = n;
                attribute[depth] = t == '|';
                depth++;
                return Step.PROGRESS;
            }
            case '$', '=', '!' -> {
                long len = number(1, lineEnd);
                if (len < -1 || len == Long.MIN_VALUE || len > Long.MAX_VALUE / 4) {
                    return malformed("bad bulk length");
                }
                if (t != '$') {
                    resp3 = true;
                }
                if (top) {
                    topType = t;
                    topNull = len < 0;
                }
                field = fieldFor(t);
                in.skip(lineEnd + 2L);
                if (len < 0) {
                    field = F_NONE;
                    elementDone(out);
                    return Step.PROGRESS;
                }
                payload.begin(len + 2);
                fieldBytes = (int) Math.min(len, field == F_COMMAND || field == F_ARG1 && isContainer()
                        ? MAX_NAME : MAX_TEXT);
                return Step.PROGRESS;
            }
            case '+', '-', ':', ',', '#', '_', '(' -> {
                if (t == ',' || t == '#' || t == '_' || t == '(') {
                    resp3 = true;
                }
                if (top) {
                    topType = t;
                    topNull = t == '_';
                    if (t == '-' && !requests) {
                        error = in.utf8(1, Math.min(lineEnd - 1, MAX_TEXT));
                    }
                }
                in.skip(lineEnd + 2L);
                elementDone(out);
                return Step.PROGRESS;
            }
            default -> {
                return malformed("unknown RESP type byte");
            }
        }
    }

    /** Which field the prefix of a bulk payload of type {@code t} at the current place fills. */
    private int fieldFor(byte t) {
        if (requests && depth == 1 && t == '$') {
            if (topChildren == 0) {
                return F_COMMAND;
            }
            if (topChildren == 1 && (resourceKind != RedisCommands.Resource.NONE
                    && resourceKind != RedisCommands.Resource.SECOND || "HELLO".equals(command))) {
                return F_ARG1;
            }
            if (topChildren == 2 && (resourceKind == RedisCommands.Resource.SECOND
                    || resourceKind == RedisCommands.Resource.SUBCOMMAND)) {
                return F_ARG2;
            }
        }
        return !requests && depth == 0 && t == '!' ? F_ERROR : F_NONE;
    }

    private boolean isContainer() {
        return resourceKind == RedisCommands.Resource.SUBCOMMAND
                || resourceKind == RedisCommands.Resource.SUBCOMMAND_ONLY;
    }

    /** Reads the kept prefix of a bulk payload, waiting for it unless a hole says it will never come. */
    private Step readField(MessageSink out) {
        int c = in.contiguous();
        if (c < fieldBytes && c >= in.available()) {
            return Step.NEED_MORE;
        }
        int n = Math.min(c, fieldBytes);
        int f = field;
        field = F_NONE;
        if (n > 0 || fieldBytes == 0) {
            assign(f, f == F_COMMAND || f == F_ARG1 && isContainer() ? in.latin1(0, n) : in.utf8(0, n));
        }
        return skipPayload(out);
    }

    private void assign(int f, String value) {
        switch (f) {
            case F_COMMAND -> {
                command = value.toUpperCase(Locale.ROOT);
                resourceKind = RedisCommands.resource(command);
            }
            case F_ARG1 -> {
                if ("HELLO".equals(command)) {
                    helloVersion = "3".equals(value) ? 3 : "2".equals(value) ? 2 : 0;
                } else if (isContainer()) {
                    subcommand = value.toUpperCase(Locale.ROOT);
                } else {
                    resource = value;
                }
            }
            case F_ARG2 -> resource = value;
            case F_ERROR -> error = value;
            default -> {
            }
        }
    }

    /** Skips what has arrived of the current bulk payload and its CR LF; completes the element at its end. */
    private Step skipPayload(MessageSink out) {
        long rest = payload.remaining();
        if (rest >= 2 && rest <= in.contiguous()) {
            int crlf = (int) rest - 2;
            if (in.get(crlf) != '\r' || in.get(crlf + 1) != '\n') {
                return malformed("bulk payload not followed by CR LF");
            }
        }
        boolean done = payload.consume(in);
        if (payload.uncaptured()) {
            truncated = true;
        }
        if (done) {
            elementDone(out);
        }
        return Step.PROGRESS;
    }

    /** A value ended: counts it in its aggregate, closes the aggregates it completes, emits a finished message. */
    private void elementDone(MessageSink out) {
        while (true) {
            if (depth == 0) {
                emit(out);
                return;
            }
            if (depth == 1) {
                topChildren++;
            }
            if (--remaining[depth - 1] > 0) {
                return;
            }
            depth--;
            if (attribute[depth]) {
                // an attribute describes the value that follows; it is not an element of its parent
                return;
            }
        }
    }

    /** A telnet-style command line: words separated by blanks. */
    private Step inline(MessageSink out, int c) {
        int nl = in.indexOf((byte) '\n', 0, c);
        if (nl < 0) {
            return Step.NEED_MORE;
        }
        int end = nl > 0 && in.get(nl - 1) == '\r' ? nl - 1 : nl;
        int s0 = skipBlanks(0, end);
        if (s0 == end) {
            // an empty line: Redis ignores it
            in.skip(nl + 1L);
            inMessage = false;
            in.mark(-1);
            return Step.PROGRESS;
        }
        byte first = in.get(s0);
        if (!(first >= 'A' && first <= 'Z' || first >= 'a' && first <= 'z')) {
            return malformed("not a RESP array nor an inline command");
        }
        int e0 = wordEnd(s0, end);
        for (int i = s0; i < e0; i++) {
            byte b = in.get(i);
            if (b < 0x21 || b > 0x7e) {
                return malformed("inline command name not printable");
            }
        }
        assign(F_COMMAND, in.latin1(s0, Math.min(e0 - s0, MAX_NAME)));
        int s1 = skipBlanks(e0, end);
        int e1 = wordEnd(s1, end);
        int s2 = skipBlanks(e1, end);
        int e2 = wordEnd(s2, end);
        if (e1 > s1 && (resourceKind != RedisCommands.Resource.NONE
                && resourceKind != RedisCommands.Resource.SECOND || "HELLO".equals(command))) {
            assign(F_ARG1, isContainer() ? in.latin1(s1, Math.min(e1 - s1, MAX_NAME))
                    : in.utf8(s1, Math.min(e1 - s1, MAX_TEXT)));
        }
        if (e2 > s2 && (resourceKind == RedisCommands.Resource.SECOND
                || resourceKind == RedisCommands.Resource.SUBCOMMAND)) {
            assign(F_ARG2, in.utf8(s2, Math.min(e2 - s2, MAX_TEXT)));
        }
        in.skip(nl + 1L);
        emit(out);
        return Step.PROGRESS;
    }

    private int skipBlanks(int i, int end) {
        while (i < end && (in.get(i) == ' ' || in.get(i) == '\t')) {
            i++;
        }
        return i;
    }

    private int wordEnd(int i, int end) {
        while (i < end && in.get(i) != ' ' && in.get(i) != '\t') {
            i++;
        }
        return i;
    }

    private void emit(MessageSink out) {
        long end = in.position();
        L7Message.Builder b = L7Message.builder(L7Protocol.REDIS, requests ? MessageKind.REQUEST
                        : MessageKind.RESPONSE)
                .length(end - msgStart)
                .truncated(truncated)
                .start(in.origin(msgStart))
                .endTimestampNs(in.origin(end - 1).timestampNs());
        if (requests) {
            if (helloVersion != 0) {
                resp3 = helloVersion == 3;
            }
            b.version(resp3 ? "3" : "2")
                    .requestType(command == null ? null : subcommand == null ? command : command + " " + subcommand)
                    .requestResource(resource);
        } else {
            b.version(resp3 ? "3" : "2").attribute("resp_type", typeName());
            if (push) {
                b.attribute("push", "true");
            } else if (error != null) {
                b.responseStatus(RedisCommands.errorStatus(error)).responseException(error);
            } else {
                b.responseStatus(ResponseStatus.OK);
            }
        }
        out.message(b.build());
        reset();
        in.mark(-1);
    }

    private String typeName() {
        if (topNull) {
            return "null";
        }
        return switch (topType) {
            case '+' -> "simple";
            case '-' -> "error";
            case ':' -> "integer";
            case '$' -> "bulk";
            case '*' -> "array";
            case '%' -> "map";
            case '~' -> "set";
            case ',' -> "double";
            case '#' -> "boolean";
            case '(' -> "bignumber";
            case '=' -> "verbatim";
            case '!' -> "bloberror";
            case '>' -> "push";
            default -> "unknown";
        };
    }

    /** The decimal integer in line bytes {@code [from, to)}, or Long.MIN_VALUE when it is not one. */
    private long number(int from, int to) {
        if (from >= to || to - from > 19) {
            return Long.MIN_VALUE;
        }
        boolean neg = in.get(from) == '-';
        int i = neg ? from + 1 : from;
        if (i == to) {
            return Long.MIN_VALUE;
        }
        long v = 0;
        for (; i < to; i++) {
            int d = in.get(i) - '0';
            if (d < 0 || d > 9) {
                return Long.MIN_VALUE;
            }
            v = v * 10 + d;
        }
        return neg ? -v : v;
    }

    /*
     * State format 1: between messages, where a checkpoint finds nearly every open connection: the buffer and the
     * RESP version seen. Mid-message state (the nesting stack, a payload being skipped) stays in Java serialization.
     */
    private static final int FORMAT_BETWEEN_MESSAGES = 1;

    @Override
    public int stateFormat() {
        return !inMessage && !payload.active() && depth == 0 && topType == 0 && field == F_NONE
                ? FORMAT_BETWEEN_MESSAGES : 0;
    }

    @Override
    protected void writeStateFields(DataOutput out) throws IOException {
        out.writeBoolean(resp3);
    }

    @Override
    protected void readStateFields(DataInput from, int format) throws IOException {
        StateFormats.require(format, FORMAT_BETWEEN_MESSAGES, "Redis");
        resp3 = from.readBoolean();
    }

    @Override
    protected void reset() {
        inMessage = false;
        truncated = false;
        topType = 0;
        topNull = false;
        push = false;
        command = null;
        subcommand = null;
        resource = null;
        error = null;
        helloVersion = 0;
        resourceKind = RedisCommands.Resource.NONE;
        depth = 0;
        topChildren = 0;
        payload.clear();
        field = F_NONE;
        fieldBytes = 0;
    }
}
