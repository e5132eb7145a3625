package io.tapflow.protocols.mysql;

import static io.tapflow.protocols.mysql.MySqlPackets.CLIENT_CONNECT_WITH_DB;
import static io.tapflow.protocols.mysql.MySqlPackets.CLIENT_PLUGIN_AUTH;
import static io.tapflow.protocols.mysql.MySqlPackets.CLIENT_PLUGIN_AUTH_LENENC_DATA;
import static io.tapflow.protocols.mysql.MySqlPackets.CLIENT_PROTOCOL_41;
import static io.tapflow.protocols.mysql.MySqlPackets.CLIENT_QUERY_ATTRIBUTES;
import static io.tapflow.protocols.mysql.MySqlPackets.CLIENT_SECURE_CONNECTION;
import static io.tapflow.protocols.mysql.MySqlPackets.CLIENT_SSL;
import static io.tapflow.protocols.mysql.MySqlPackets.HEADER;
import static io.tapflow.protocols.mysql.MySqlPackets.MAX_PAYLOAD;
import static io.tapflow.protocols.mysql.MySqlPackets.PREFIX;

import io.tapflow.protocols.AbstractStreamDecoder;
import io.tapflow.protocols.L7Message;
import io.tapflow.protocols.MessageKind;
import io.tapflow.protocols.MessageSink;
import io.tapflow.protocols.ParserOptions;
import io.tapflow.protocols.StateFormats;
import io.tapflow.protocols.sql.SqlWire;
import io.tapflow.schema.L7Protocol;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Client → server: the handshake response (LOGIN), an SSL request, and one REQUEST per command packet (sequence id
 * 0). request_type is the command name (COM_QUERY, COM_STMT_EXECUTE…): the SQL verb is in the resource, and the
 * endpoint stage derives it from there.
 *
 * <p>Commands the server never answers (COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA) emit nothing, so that in-order
 * pairing stays aligned; COM_QUIT is emitted (it is the last message, it pairs with nothing).
 *
 * <p>COM_STMT_EXECUTE names its statement by the id the server returned to COM_STMT_PREPARE, which only the other
 * direction sees. MySQL and MariaDB number statements per connection from 1, one id per prepared statement object
 * (binary COM_STMT_PREPARE, SQL PREPARE and MariaDB's EXECUTE IMMEDIATE, failed or not), so when this decoder saw
 * the connection's login it predicts the ids and keeps a bounded id → SQL map; otherwise (capture started
 * mid-connection, COM_CHANGE_USER, COM_RESET_CONNECTION) it does not guess and the resource stays null.
 */
final class MySqlRequestDecoder extends AbstractStreamDecoder {

    private static final int MAX_STATEMENTS = 256;
    private static final String[] COMMANDS = new String[256];

    static {
        String[] names = {"COM_SLEEP", "COM_QUIT", "COM_INIT_DB", "COM_QUERY", "COM_FIELD_LIST", "COM_CREATE_DB",
            "COM_DROP_DB", "COM_REFRESH", "COM_SHUTDOWN", "COM_STATISTICS", "COM_PROCESS_INFO", "COM_CONNECT",
            "COM_PROCESS_KILL", "COM_DEBUG", "COM_PING", "COM_TIME", "COM_DELAYED_INSERT", "COM_CHANGE_USER",
            "COM_BINLOG_DUMP", "COM_TABLE_DUMP", "COM_CONNECT_OUT", "COM_REGISTER_SLAVE", "COM_STMT_PREPARE",
            "COM_STMT_EXECUTE", "COM_STMT_SEND_LONG_DATA", "COM_STMT_CLOSE", "COM_STMT_RESET", "COM_SET_OPTION",
            "COM_STMT_FETCH", "COM_DAEMON", "COM_BINLOG_DUMP_GTID", "COM_RESET_CONNECTION"};
        System.arraycopy(names, 0, COMMANDS, 0, names.length);
        COMMANDS[0xFA] = "COM_STMT_BULK_EXECUTE";
    }

    static boolean isCommand(int b) {
        return COMMANDS[b & 0xFF] != null;
    }

    private final Map<Long, String> statements = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
            return size() > MAX_STATEMENTS;
        }
    };
    private boolean tls;
    private boolean started;
    private boolean queryAttributes;
    /** Id the server gives the next prepared statement; 0 when unknown. */
    private long nextStatementId;
    /** A command whose payload continues in further packets: emitted with the last one. */
    private L7Message.Builder pending;
    private long pendingLength;

    MySqlRequestDecoder(ParserOptions options) {
        super(options);
    }

    @Override
    protected Step decode(MessageSink out) {
        if (tls) {
            in.skip(in.available());
            return Step.PROGRESS;
        }
        if (in.contiguous() < HEADER) {
            return Step.NEED_MORE;
        }
        byte[] a = in.array();
        int s = in.start();
        int len = MySqlPackets.payloadLength(a, s);
        int seq = MySqlPackets.sequence(a, s);
        long pos = in.position();
        long end = pos + HEADER + len;
        if (pending != null) {
            pendingLength += HEADER + len;
            if (len < MAX_PAYLOAD) {
                emit(out, pending, pendingLength, end);
                pending = null;
            }
            in.skip(HEADER + (long) len);
            return Step.PROGRESS;
        }
        if (seq != 0) {
            if (!started && seq == 1) {
                return login(out, len);
            }
            // the rest of an exchange the server drives: auth switch data, LOAD DATA LOCAL file content
            in.skip(HEADER + (long) len);
            return Step.PROGRESS;
        }
        if (len == 0) {
            return malformed("empty command packet");
        }
        int have = SqlWire.captured(in, HEADER, len, PREFIX);
        if (have <= 0) {
            return Step.NEED_MORE; // with a hole there the loop resynchronises: the command byte is lost
        }
        int cmd = a[s + HEADER] & 0xFF;
        if (!isCommand(cmd)) {
            return malformed("unknown command 0x" + Integer.toHexString(cmd));
        }
        started = true;
        L7Message.Builder b = command(cmd, a, s + HEADER, have, len);
        if (b != null) {
            b.start(in.origin(pos)).truncated(SqlWire.holeWithin(in, HEADER + (long) len));
            if (len == MAX_PAYLOAD) {
                pending = b;
                pendingLength = HEADER + len;
            } else {
                emit(out, b, HEADER + len, end);
            }
        }
        in.skip(HEADER + (long) len);
        return Step.PROGRESS;
    }

    private void emit(MessageSink out, L7Message.Builder b, long length, long end) {
        out.message(b.length(length).endTimestampNs(in.endTimestampNs(end)).build());
    }

    /** The handshake response, or the SSL request that precedes it on a TLS connection. */
    private Step login(MessageSink out, int len) {
        int have = SqlWire.captured(in, HEADER, len, PREFIX);
        if (have < 0) {
            return Step.NEED_MORE;
        }
        if (have < 32) {
            return malformed("short handshake response");
        }
        byte[] a = in.array();
        int p = in.start() + HEADER;
        long pos = in.position();
        long caps = MySqlPackets.u32(a, p);
        started = true;
        L7Message.Builder b = L7Message.builder(L7Protocol.MYSQL, MessageKind.REQUEST).version("10")
                .start(in.origin(pos));
        if (len == 32 && (caps & CLIENT_SSL) != 0) {
            tls = true;
            b.requestType("SSL_REQUEST").attribute("tls", "true");
        } else if ((caps & CLIENT_PROTOCOL_41) == 0) {
            b.requestType("LOGIN");
        } else {
            b.requestType("LOGIN");
            queryAttributes = (caps & CLIENT_QUERY_ATTRIBUTES) != 0;
            nextStatementId = 1;
            statements.clear();
            parseLogin(b, a, p, p + have, caps);
        }
        b.truncated(SqlWire.holeWithin(in, HEADER + (long) len));
        emit(out, b, HEADER + len, pos + HEADER + len);
        in.skip(HEADER + (long) len);
        return Step.PROGRESS;
    }

    /** User, database and auth plugin of a 4.1 handshake response; the auth data is skipped, never kept. */
    private static void parseLogin(L7Message.Builder b, byte[] a, int p, int limit, long caps) {
        int i = p + 32;
        int z = SqlWire.nul(a, i, limit);
        if (z < 0) {
            return;
        }
        b.attribute("user", SqlWire.text(a, i, z - i));
        i = z + 1;
        if (i >= limit) {
            return;
        }
        long authLen;
        if ((caps & CLIENT_PLUGIN_AUTH_LENENC_DATA) != 0) {
            int w = MySqlPackets.lenencWidth(a[i] & 0xFF);
            if (w < 0 || i + w > limit) {
                return;
            }
            authLen = MySqlPackets.lenenc(a, i);
            i += w;
        } else if ((caps & CLIENT_SECURE_CONNECTION) != 0) {
            authLen = a[i++] & 0xFF;
        } else {
            int e = SqlWire.nul(a, i, limit);
            authLen = e < 0 ? limit : e + 1 - i;
        }
        if (authLen < 0 || authLen > limit - i) {
            return;
        }
        i += (int) authLen;
        if ((caps & CLIENT_CONNECT_WITH_DB) != 0) {
            z = SqlWire.nul(a, i, limit);
            if (z < 0) {
                return;
            }
            if (z > i) {
                b.requestDomain(SqlWire.text(a, i, z - i));
            }
            i = z + 1;
        }
        if ((caps & CLIENT_PLUGIN_AUTH) != 0 && i < limit) {
            z = SqlWire.nul(a, i, limit);
            b.attribute("auth_plugin", SqlWire.text(a, i, (z < 0 ? limit : z) - i));
        }
    }

    /** The request of one command packet ({@code have} captured payload bytes at {@code p}); null: none. */
    private L7Message.Builder command(int cmd, byte[] a, int p, int have, int len) {
        L7Message.Builder b = L7Message.builder(L7Protocol.MYSQL, MessageKind.REQUEST).version("10")
                .requestType(COMMANDS[cmd]);
        switch (cmd) {
            case 0x01 -> b.attribute("one_way", "true"); // COM_QUIT: the server closes, nothing answers it
            case 0x02 -> { // COM_INIT_DB
                String schema = SqlWire.text(a, p + 1, have - 1);
                b.requestDomain(schema).requestResource(schema);
            }
            case 0x03 -> query(b, a, p, have, len);
            case 0x04 -> { // COM_FIELD_LIST: table NUL wildcard
                int z = SqlWire.nul(a, p + 1, p + have);
                b.requestResource(SqlWire.text(a, p + 1, (z < 0 ? p + have : z) - p - 1));
            }
            case 0x16 -> { // COM_STMT_PREPARE
                String sql = SqlWire.text(a, p + 1, have - 1);
                b.requestResource(sql).attribute("sql_length", Integer.toString(len - 1));
                if (nextStatementId > 0) {
                    statements.put(nextStatementId++, sql);
                }
            }
            case 0x17, 0x1A, 0x1C, 0xFA -> { // COM_STMT_EXECUTE, _RESET, _FETCH, MariaDB _BULK_EXECUTE
                if (have >= 5) {
                    long id = MySqlPackets.u32(a, p + 1);
                    b.attribute("statement_id", Long.toString(id)).requestResource(statements.get(id));
                }
            }
            case 0x19, 0x18 -> { // COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA: the server does not answer
                if (cmd == 0x19 && have >= 5) {
                    statements.remove(MySqlPackets.u32(a, p + 1));
                }
                return null;
            }
            case 0x11 -> { // COM_CHANGE_USER: a new session, statement ids start over where we cannot see
                int z = SqlWire.nul(a, p + 1, p + have);
                if (z > p + 1) {
                    b.attribute("user", SqlWire.text(a, p + 1, z - p - 1));
                }
                forgetStatements();
            }
            case 0x1F -> forgetStatements(); // COM_RESET_CONNECTION
            default -> {
            }
        }
        return b;
    }

    private void query(L7Message.Builder b, byte[] a, int p, int have, int len) {
        int i = p + 1;
        int limit = p + have;
        if (queryAttributes && i + 1 < limit && a[i + 1] == 1 && (a[i] & 0xFF) < 0xFB) {
            // CLIENT_QUERY_ATTRIBUTES is in effect only when the server offered it too, which this direction does
            // not see: a parameter_count below 0xfb followed by parameter_set_count 1 says it is. No attributes:
            // the SQL follows; attributes put it out of cheap reach.
            if (a[i] != 0) {
                b.attribute("query_attributes", Integer.toString(a[i] & 0xFF));
                return;
            }
            i += 2;
        }
        if (i > limit) {
            return;
        }
        b.requestResource(SqlWire.text(a, i, limit - i)).attribute("sql_length", Integer.toString(len - (i - p)));
        if (nextStatementId > 0 && createsStatement(a, i, limit)) {
            nextStatementId++;
        }
    }

    /** SQL PREPARE and EXECUTE IMMEDIATE make a prepared statement object on the server and use up an id. */
    static boolean createsStatement(byte[] a, int from, int limit) {
        int i = from;
        while (i < limit && (a[i] == ' ' || a[i] == '\n' || a[i] == '\t' || a[i] == '\r' || a[i] == '(')) {
            i++;
        }
        if (startsWithIgnoreCase(a, i, limit, "PREPARE")) {
            return true;
        }
        if (!startsWithIgnoreCase(a, i, limit, "EXECUTE")) {
            return false;
        }
        i += 7;
        while (i < limit && (a[i] == ' ' || a[i] == '\n' || a[i] == '\t' || a[i] == '\r')) {
            i++;
        }
        return startsWithIgnoreCase(a, i, limit, "IMMEDIATE");
    }

    private static boolean startsWithIgnoreCase(byte[] a, int i, int limit, String word) {
        if (limit - i < word.length() + 1) {
            return false;
        }
        for (int k = 0; k < word.length(); k++) {
            if ((a[i + k] & 0xDF) != word.charAt(k)) {
                return false;
            }
        }
        byte next = a[i + word.length()];
        return next == ' ' || next == '\n' || next == '\t' || next == '\r';
    }

    private void forgetStatements() {
        nextStatementId = 0;
        statements.clear();
    }

    @Override
    protected void reset() {
        pending = null;
    }

    /*
     * State format 1: between commands (none continuing in further packets), where a checkpoint finds nearly every
     * open connection: the buffer, the connection's flags and its prepared statements in access order. A command
     * part-way stays in Java serialization.
     */
    private static final int FORMAT_BETWEEN_COMMANDS = 1;

    @Override
    public int stateFormat() {
        return pending == null ? FORMAT_BETWEEN_COMMANDS : 0;
    }

    @Override
    protected void writeStateFields(DataOutput out) throws IOException {
        out.writeBoolean(tls);
        out.writeBoolean(started);
        out.writeBoolean(queryAttributes);
        out.writeLong(nextStatementId);
        out.writeInt(statements.size());
        for (Map.Entry<Long, String> e : statements.entrySet()) {
            out.writeLong(e.getKey());
            StateFormats.writeString(out, e.getValue());
        }
    }

    @Override
    protected void readStateFields(DataInput from, int format) throws IOException {
        StateFormats.require(format, FORMAT_BETWEEN_COMMANDS, "MySQL request");
        tls = from.readBoolean();
        started = from.readBoolean();
        queryAttributes = from.readBoolean();
        nextStatementId = from.readLong();
        statements.clear();
        for (int n = from.readInt(); n > 0; n--) {
            statements.put(from.readLong(), StateFormats.readString(from));
        }
    }

    @Override
    protected void onClose(MessageSink out) {
        if (pending != null) {
            emit(out, pending.truncated(true), pendingLength, in.end());
            pending = null;
        }
    }
}
