package io.tapflow.protocols.postgresql;

import static io.tapflow.protocols.postgresql.PostgresMessages.HEADER;
import static io.tapflow.protocols.postgresql.PostgresMessages.PREFIX;

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
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Frontend → backend. One REQUEST per exchange the backend closes with one ReadyForQuery, so that in-order
 * pairing holds:
 * <ul>
 *   <li>STARTUP (domain = the database parameter, else the user name, PostgreSQL's default) — the password,
 *       SASL and GSS messages that follow belong to it and are skipped, never kept;</li>
 *   <li>SSL_REQUEST / GSSENC_REQUEST (the backend answers one byte) and CANCEL_REQUEST (answered by nothing);</li>
 *   <li>QUERY per simple Query ('Q'): resource = its SQL, however many statements it holds;</li>
 *   <li>the extended protocol emits one request per Sync: Parse/Bind/Describe/Execute/Close/Flush up to a Sync
 *       are one request, type EXECUTE when it executed something (else the first message's name), resource =
 *       the SQL of the first executed statement (without an Execute: of the first Parse), found through Bind's portal → statement and Parse's statement →
 *       SQL (bounded maps; the unnamed statement and portal are overwritten as the protocol does), executes = how
 *       many when more than one;</li>
 *   <li>FUNCTION_CALL, and TERMINATE (the last message; nothing answers it).</li>
 * </ul>
 * COPY data sent by the frontend belongs to the Query that started the COPY.
 */
final class PostgresFrontendDecoder extends AbstractStreamDecoder {

    private static final int MAX_NAMES = 256;

    private final Map<String, String> statements = bounded();
    private final Map<String, String> portals = bounded();
    /** The startup phase: the next message has no type byte (startup, SSL/GSS/cancel requests). */
    private boolean untyped = true;
    private boolean tls;

    // the extended-protocol request being assembled up to its Sync
    private boolean batch;
    private StreamBuffer.Origin batchStart;
    private long batchLength;
    private boolean batchTruncated;
    private String batchFirst;
    private int executes;
    private String executedSql;
    private String executedStatement;
    private String parsedSql;
    private String parsedStatement;

    PostgresFrontendDecoder(ParserOptions options) {
        super(options);
    }

    private static Map<String, String> bounded() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                return size() > MAX_NAMES;
            }
        };
    }

    @Override
    protected Step decode(MessageSink out) {
        if (tls) {
            in.skip(in.available());
            return Step.PROGRESS;
        }
        int c = in.contiguous();
        byte[] a = in.array();
        int s = in.start();
        if (untyped) {
            if (SqlWire.tlsRecord(a, s, c)) {
                tls = true; // the SSLRequest was accepted: the rest is TLS
                in.skip(in.available());
                return Step.PROGRESS;
            }
            if (c < 1) {
                return Step.NEED_MORE;
            }
            if (a[s] == 0) {
                return startupPhase(out);
            }
            untyped = false; // a capture that began after the startup
        }
        if (c < HEADER) {
            return Step.NEED_MORE;
        }
        int type = a[s] & 0xFF;
        long len = ByteReader.u32(a, s + 1);
        if (len < 4 || len > Integer.MAX_VALUE) {
            return malformed("message length " + len);
        }
        long body = len - 4;
        int want = type == 'd' || type == 'p' ? 0 : PREFIX;
        int have = SqlWire.captured(in, HEADER, body, want);
        if (have < 0) {
            return Step.NEED_MORE;
        }
        long pos = in.position();
        long total = 1 + len;
        boolean hole = SqlWire.holeWithin(in, total);
        int p = s + HEADER;
        int limit = p + have;
        switch (type) {
            case 'Q' -> emit(out, request("QUERY", pos).requestResource(SqlWire.cstring(a, p, limit)),
                    total, hole);
            case 'P', 'B', 'E', 'D', 'C', 'H' -> extended(type, a, p, limit, pos, total, hole);
            case 'S' -> {
                extended(type, a, p, limit, pos, total, hole);
                emitBatch(out, pos + total);
            }
            case 'F' -> emit(out, request("FUNCTION_CALL", pos)
                    .attribute("function_oid", have >= 4 ? Integer.toUnsignedString(
                            ByteReader.i32(a, p)) : null), total, hole);
            case 'X' -> emit(out, request("TERMINATE", pos).attribute("one_way", "true"), total, hole);
            case 'p', 'd', 'c', 'f' -> {
                // password / SASL / GSS responses (never kept), COPY data, done and fail of the current Query
            }
            default -> {
                return malformed("unknown frontend message type 0x" + Integer.toHexString(type));
            }
        }
        in.skip(total);
        return Step.PROGRESS;
    }

    /** Length, code, then for StartupMessage the parameters as NUL-terminated name/value pairs. */
    private Step startupPhase(MessageSink out) {
        if (in.contiguous() < 8) {
            return Step.NEED_MORE;
        }
        byte[] a = in.array();
        int s = in.start();
        int len = ByteReader.i32(a, s);
        int code = ByteReader.i32(a, s + 4);
        if (len < 8 || len > 10_000) {
            return malformed("startup length " + len);
        }
        int have = SqlWire.captured(in, 8, len - 8L, PREFIX);
        if (have < 0) {
            return Step.NEED_MORE;
        }
        long pos = in.position();
        boolean hole = SqlWire.holeWithin(in, len);
        L7Message.Builder b;
        switch (code) {
            case PostgresMessages.PROTOCOL_3_0 -> {
                b = request("STARTUP", pos);
                startupParameters(b, a, s + 8, s + 8 + have);
                untyped = false;
            }
            case PostgresMessages.SSL_REQUEST -> b = request("SSL_REQUEST", pos);
            case PostgresMessages.GSSENC_REQUEST -> b = request("GSSENC_REQUEST", pos);
            case PostgresMessages.CANCEL_REQUEST -> b = request("CANCEL_REQUEST", pos)
                    .attribute("backend_pid", have >= 4 ? Integer.toString(ByteReader.i32(a, s + 8)) : null);
            default -> {
                return malformed("unsupported protocol or request code " + code);
            }
        }
        emit(out, b, len, hole);
        in.skip(len);
        return Step.PROGRESS;
    }

    private static void startupParameters(L7Message.Builder b, byte[] a, int from, int limit) {
        String user = null;
        String database = null;
        int i = from;
        while (i < limit && a[i] != 0) {
            int kz = SqlWire.nul(a, i, limit);
            if (kz < 0) {
                break;
            }
            int vz = SqlWire.nul(a, kz + 1, limit);
            if (vz < 0) {
                break;
            }
            String key = SqlWire.text(a, i, kz - i);
            String value = SqlWire.text(a, kz + 1, vz - kz - 1);
            switch (key) {
                case "user" -> user = value;
                case "database" -> database = value;
                case "application_name", "replication" -> b.attribute(key, value);
                default -> {
                }
            }
            i = vz + 1;
        }
        b.attribute("user", user).requestDomain(database != null ? database : user);
    }

    /** One message of the extended protocol, added to the request its Sync will emit. */
    private void extended(int type, byte[] a, int p, int limit, long pos, long total, boolean hole) {
        if (!batch) {
            batch = true;
            batchStart = in.origin(pos);
            batchFirst = switch (type) {
                case 'P' -> "PARSE";
                case 'B' -> "BIND";
                case 'E' -> "EXECUTE";
                case 'D' -> "DESCRIBE";
                case 'C' -> "CLOSE";
                case 'H' -> "FLUSH";
                default -> "SYNC";
            };
        }
        batchLength += total;
        batchTruncated |= hole;
        switch (type) {
            case 'P' -> { // statement NUL query NUL parameter types
                int z = SqlWire.nul(a, p, limit);
                if (z >= 0) {
                    String name = SqlWire.text(a, p, z - p);
                    String sql = SqlWire.cstring(a, z + 1, limit);
                    statements.put(name, sql);
                    if (parsedSql == null) {
                        parsedSql = sql;
                        parsedStatement = name;
                    }
                }
            }
            case 'B' -> { // portal NUL statement NUL …
                int z = SqlWire.nul(a, p, limit);
                int z2 = z < 0 ? -1 : SqlWire.nul(a, z + 1, limit);
                if (z2 >= 0) {
                    portals.put(SqlWire.text(a, p, z - p), SqlWire.text(a, z + 1, z2 - z - 1));
                }
            }
            case 'E' -> { // portal NUL max rows
                if (executes++ == 0) {
                    int z = SqlWire.nul(a, p, limit);
                    String statement = z < 0 ? null : portals.get(SqlWire.text(a, p, z - p));
                    executedStatement = statement;
                    executedSql = statement == null ? null : statements.get(statement);
                }
            }
            case 'C' -> { // 'S' statement | 'P' portal, name
                if (limit > p) {
                    String name = SqlWire.cstring(a, p + 1, limit);
                    (a[p] == 'S' ? statements : portals).remove(name);
                }
            }
            default -> {
            }
        }
    }

    private void emitBatch(MessageSink out, long end) {
        L7Message.Builder b = L7Message.builder(L7Protocol.POSTGRESQL, MessageKind.REQUEST).version("3.0")
                .start(batchStart).requestType(executes > 0 ? "EXECUTE" : batchFirst)
                .requestResource(executes > 0 ? executedSql : parsedSql)
                .length(batchLength).truncated(batchTruncated)
                .endTimestampNs(in.endTimestampNs(end));
        String statement = executes > 0 ? executedStatement : parsedStatement;
        if (statement != null && !statement.isEmpty()) {
            b.attribute("statement", statement);
        }
        if (executes > 1) {
            b.attribute("executes", Integer.toString(executes));
        }
        out.message(b.build());
        clearBatch();
    }

    private void clearBatch() {
        batch = false;
        batchStart = null;
        batchLength = 0;
        batchTruncated = false;
        batchFirst = null;
        executes = 0;
        executedSql = null;
        executedStatement = null;
        parsedSql = null;
        parsedStatement = null;
    }

    private L7Message.Builder request(String type, long pos) {
        return L7Message.builder(L7Protocol.POSTGRESQL, MessageKind.REQUEST).version("3.0").requestType(type)
                .start(in.origin(pos));
    }

    private void emit(MessageSink out, L7Message.Builder b, long total, boolean hole) {
        long end = in.position() + total;
        out.message(b.length(total).truncated(hole)
                .endTimestampNs(in.endTimestampNs(end)).build());
    }

    @Override
    protected void reset() {
        clearBatch();
    }

    /*
     * State format 1: between requests (no extended-protocol batch assembled up to its Sync), where a checkpoint
     * finds nearly every open connection: the startup phase, TLS, and the named statements and portals in their
     * access order. A batch mid-way stays in Java serialization.
     */
    private static final int FORMAT_BETWEEN_MESSAGES = 1;

    @Override
    public int stateFormat() {
        return batch ? 0 : FORMAT_BETWEEN_MESSAGES;
    }

    @Override
    protected void writeStateFields(DataOutput out) throws IOException {
        out.writeBoolean(untyped);
        out.writeBoolean(tls);
        StateFormats.writeMap(out, statements);
        StateFormats.writeMap(out, portals);
    }

    @Override
    protected void readStateFields(DataInput from, int format) throws IOException {
        StateFormats.require(format, FORMAT_BETWEEN_MESSAGES, "PostgreSQL frontend");
        untyped = from.readBoolean();
        tls = from.readBoolean();
        statements.clear();
        StateFormats.readMap(from, statements);
        portals.clear();
        StateFormats.readMap(from, portals);
    }

    @Override
    protected void onClose(MessageSink out) {
        if (batch && executes > 0) {
            emitBatch(out, in.end());
        }
    }
}
