package io.tapflow.protocols.postgresql;

import static io.tapflow.protocols.postgresql.PostgresMessages.HEADER;

import io.tapflow.protocols.AbstractStreamDecoder;
import io.tapflow.protocols.ByteReader;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.MessageKind;
import io.tapflow.protocols.MessageSink;
import io.tapflow.protocols.ParserOptions;
import io.tapflow.protocols.StateFormats;
import io.tapflow.protocols.StreamBuffer;
import io.tapflow.protocols.sql.SqlWire;
import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.ResponseStatus;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Backend → frontend: one RESPONSE per ReadyForQuery ('Z'), which answers one request of
 * {@link PostgresFrontendDecoder} (a startup, a Query, an extended-protocol batch up to its Sync). Also one RESPONSE
 * for the single byte answering an SSLRequest or GSSENCRequest ('S'/'G': the rest is encrypted and skipped; 'N': the
 * connection goes on in clear text). A response the server ends by closing (a FATAL error during startup) is
 * emitted at close.
 *
 * <p>Kept: the CommandComplete tags (command_tag = the last, commands = how many when more than one, row_count =
 * the sum of their counts, or the DataRows when no tag counts), the first ErrorResponse (SQLSTATE in the attribute
 * sqlstate — it is not numeric, response_code stays null — message as response_exception, status by
 * {@link PostgresErrors}), notices, and from the startup the authentication method asked for, server_version and
 * the backend pid. Authentication payloads (salts, SASL data) are skipped, never kept. NoticeResponse,
 * NotificationResponse and ParameterStatus between responses are asynchronous and start no response.
 */
final class PostgresBackendDecoder extends AbstractStreamDecoder {

    private boolean first = true;
    private boolean tls;

    private boolean active;
    private StreamBuffer.Origin start;
    private long length;
    private boolean truncated;
    private String lastTag;
    private int commands;
    private long tagRows;
    private boolean tagCounted;
    private long dataRows;
    private int notices;
    private String sqlState;
    private String severity;
    private String message;
    private String auth;
    private String serverVersion;
    private String backendPid;

    PostgresBackendDecoder(ParserOptions options) {
        super(options);
    }

    @Override
    protected Step decode(MessageSink out) {
        if (tls) {
            in.skip(in.available());
            return Step.PROGRESS;
        }
        int c = in.contiguous();
        if (c < 1) {
            return Step.NEED_MORE;
        }
        byte[] a = in.array();
        int s = in.start();
        int type = a[s] & 0xFF;
        if (first && (type == 'N' || type == 'S' || type == 'G') && (c == 1 || a[s + 1] != 0)) {
            return encryptionAnswer(out, type);
        }
        if (c < HEADER) {
            return Step.NEED_MORE;
        }
        long len = ByteReader.u32(a, s + 1);
        if (len < 4 || len > Integer.MAX_VALUE || !known(type)) {
            return malformed(len < 4 ? "message length " + len : "unknown backend message type 0x"
                    + Integer.toHexString(type));
        }
        int want = switch (type) {
            case 'E', 'N' -> PostgresMessages.PREFIX;
            case 'C', 'S' -> 256;
            case 'R', 'K' -> 8;
            case 'T' -> 2;
            default -> 0;
        };
        long body = len - 4;
        int have = SqlWire.captured(in, HEADER, body, want);
        if (have < 0) {
            return Step.NEED_MORE;
        }
        first = false;
        long pos = in.position();
        long total = 1 + len;
        if (!active && (type == 'N' || type == 'A' || type == 'S')) {
            in.skip(total); // asynchronous: no request asked for it
            return Step.PROGRESS;
        }
        if (!active) {
            active = true;
            start = in.origin(pos);
        }
        length += total;
        truncated |= SqlWire.holeWithin(in, total);
        int p = s + HEADER;
        int limit = p + have;
        switch (type) {
            case 'R' -> authentication(a, p, have);
            case 'S' -> {
                int z = SqlWire.nul(a, p, limit);
                if (z >= 0 && "server_version".equals(SqlWire.text(a, p, z - p))) {
                    serverVersion = SqlWire.cstring(a, z + 1, limit);
                }
            }
            case 'K' -> backendPid = have >= 4 ? Integer.toString(ByteReader.i32(a, p)) : null;
            case 'C' -> commandComplete(SqlWire.cstring(a, p, limit));
            case 'D' -> dataRows++;
            case 'E' -> {
                if (sqlState == null && message == null) {
                    error(a, p, limit);
                }
            }
            case 'N' -> notices++;
            case 'Z' -> finish(out, pos + total);
            default -> {
            }
        }
        in.skip(total);
        return Step.PROGRESS;
    }

    private static boolean known(int type) {
        return switch (type) {
            case 'R', 'K', 'S', 'Z', 'C', 'T', 'D', 'E', 'N', 'A', '1', '2', '3', 'I', 'n', 's', 't', 'G', 'H', 'W',
                 'c', 'd', 'V', 'v' -> true;
            default -> false;
        };
    }

    /** The one-byte answer to SSLRequest/GSSENCRequest. */
    private Step encryptionAnswer(MessageSink out, int type) {
        long pos = in.position();
        L7Message.Builder b = L7Message.builder(L7Protocol.POSTGRESQL, MessageKind.RESPONSE).version("3.0")
                .start(in.origin(pos)).endTimestampNs(in.origin(pos).timestampNs()).length(1)
                .responseStatus(ResponseStatus.OK);
        if (type == 'N') {
            b.attribute("encryption", "refused");
        } else {
            b.attribute("encryption", type == 'S' ? "tls" : "gss");
            tls = true;
        }
        out.message(b.build());
        in.skip(1);
        return Step.PROGRESS;
    }

    private void authentication(byte[] a, int p, int have) {
        if (have < 4 || auth != null) {
            return;
        }
        auth = switch (ByteReader.i32(a, p)) {
            case 0 -> "none";
            case 2 -> "kerberos5";
            case 3 -> "password";
            case 5 -> "md5";
            case 7 -> "gss";
            case 9 -> "sspi";
            case 10 -> "sasl";
            default -> null;
        };
    }

    private void commandComplete(String tag) {
        lastTag = tag;
        commands++;
        // "INSERT oid rows", "SELECT rows", "UPDATE rows", "COPY rows"…: the count is the last word when numeric
        int sp = tag.lastIndexOf(' ');
        if (sp > 0 && sp < tag.length() - 1) {
            long n = 0;
            for (int i = sp + 1; i < tag.length(); i++) {
                char ch = tag.charAt(i);
                if (ch < '0' || ch > '9' || n > Long.MAX_VALUE / 10 - 10) {
                    return;
                }
                n = n * 10 + (ch - '0');
            }
            tagRows += n;
            tagCounted = true;
        }
    }

    /** ErrorResponse fields: type byte + C string each, a NUL ends them; S/V severity, C SQLSTATE, M message. */
    private void error(byte[] a, int p, int limit) {
        int i = p;
        while (i < limit && a[i] != 0) {
            int field = a[i];
            int z = SqlWire.nul(a, i + 1, limit);
            String value = SqlWire.text(a, i + 1, (z < 0 ? limit : z) - i - 1);
            switch (field) {
                case 'V' -> severity = value;
                case 'S' -> severity = severity == null ? value : severity;
                case 'C' -> sqlState = value;
                case 'M' -> message = value;
                default -> {
                }
            }
            if (z < 0) {
                break;
            }
            i = z + 1;
        }
    }

    private void finish(MessageSink out, long end) {
        boolean failed = sqlState != null || message != null;
        L7Message.Builder b = L7Message.builder(L7Protocol.POSTGRESQL, MessageKind.RESPONSE).version("3.0")
                .start(start).endTimestampNs(in.endTimestampNs(end)).length(length).truncated(truncated)
                .responseStatus(failed ? PostgresErrors.status(sqlState) : ResponseStatus.OK)
                .responseException(message).attribute("sqlstate", sqlState).attribute("severity", severity)
                .attribute("command_tag", lastTag);
        if (commands > 1) {
            b.attribute("commands", Integer.toString(commands));
        }
        if (tagCounted || dataRows > 0) {
            b.attribute("row_count", Long.toString(tagCounted ? tagRows : dataRows));
        }
        if (notices > 0) {
            b.attribute("notices", Integer.toString(notices));
        }
        b.attribute("auth", auth).attribute("server_version", serverVersion).attribute("backend_pid", backendPid);
        out.message(b.build());
        clear();
    }

    private void clear() {
        active = false;
        start = null;
        length = 0;
        truncated = false;
        lastTag = null;
        commands = 0;
        tagRows = 0;
        tagCounted = false;
        dataRows = 0;
        notices = 0;
        sqlState = null;
        severity = null;
        message = null;
        auth = null;
        serverVersion = null;
        backendPid = null;
    }

    @Override
    protected void reset() {
        clear();
        first = false;
    }

    /*
     * State format 1: between responses (none being assembled up to its ReadyForQuery), where a checkpoint finds
     * nearly every open connection. A response mid-way stays in Java serialization.
     */
    private static final int FORMAT_BETWEEN_MESSAGES = 1;

    @Override
    public int stateFormat() {
        return active ? 0 : FORMAT_BETWEEN_MESSAGES;
    }

    @Override
    protected void writeStateFields(DataOutput out) throws IOException {
        out.writeBoolean(first);
        out.writeBoolean(tls);
    }

    @Override
    protected void readStateFields(DataInput from, int format) throws IOException {
        StateFormats.require(format, FORMAT_BETWEEN_MESSAGES, "PostgreSQL backend");
        first = from.readBoolean();
        tls = from.readBoolean();
    }

    @Override
    protected void onClose(MessageSink out) {
        if (active) {
            truncated |= sqlState == null; // a FATAL error ends a session without 'Z'; anything else was cut
            finish(out, in.end());
        }
    }
}
