package io.tapflow.protocols.mysql;

import static io.tapflow.protocols.mysql.MySqlPackets.CLIENT_SSL;
import static io.tapflow.protocols.mysql.MySqlPackets.HEADER;
import static io.tapflow.protocols.mysql.MySqlPackets.MAX_PAYLOAD;
import static io.tapflow.protocols.mysql.MySqlPackets.SERVER_MORE_RESULTS_EXISTS;

import io.tapflow.protocols.AbstractStreamDecoder;
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
 * Server → client: one RESPONSE per command (what in-order pairing needs), decoded without seeing the command.
 *
 * <ul>
 *   <li>The greeting is not a message of its own (it answers no request): its server version and connection id go
 *       on the response to LOGIN — the packets after the greeting up to the OK/ERR that ends authentication.</li>
 *   <li>OK → affected_rows/last_insert_id; ERR → response_code, SQLSTATE + message, {@link MySqlErrors status};
 *       EOF alone (COM_SET_OPTION, COM_DEBUG) → OK.</li>
 *   <li>A result set (column count, column definitions, rows up to EOF/OK) → column_count and row_count. Whether
 *       the client negotiated CLIENT_DEPRECATE_EOF is not visible from here, and need not be: the EOF after the
 *       column definitions is exactly 5 bytes, the OK that replaces it is at least 7, and a row cannot start with
 *       0xfe unless it is 16 MB long.</li>
 *   <li>Several results of one command (multi-statements, procedures: SERVER_MORE_RESULTS_EXISTS) stay one
 *       response with result_sets = N, summed rows and affected rows.</li>
 *   <li>COM_STMT_PREPARE's OK (exactly 12 bytes, a zero filler at offset 9) → statement_id, param_count,
 *       column_count, then as many definitions and their optional EOFs.</li>
 * </ul>
 * Packets of one response carry consecutive sequence ids; one that does not continue the sequence closes the
 * current response (emitted as truncated) and starts the next, so a misread never swallows later responses. After
 * a resynchronisation the decoder waits for a packet with sequence id 1, where every response begins.
 */
final class MySqlResponseDecoder extends AbstractStreamDecoder {

    private static final int WANT = 4 + 2 * SqlWire.MAX_SQL_CHARS;

    private enum Phase { START, AUTH, FIRST, COLUMNS, AFTER_COLUMNS, ROWS, PREPARE_DEFS, FIELD_LIST, INFILE, LOST, TLS }

    private Phase phase = Phase.START;
    private long greetingCaps;
    private String serverVersion;
    private long connectionId = -1;
    /** Consecutive packets of a payload longer than 16 MB - 1 follow; its meaning came from the first one. */
    private boolean continuation;
    /** Sequence id of an EOF that may end a prepare response already emitted, or -1. */
    private int trailerSeq = -1;

    // the response being assembled
    private boolean active;
    private StreamBuffer.Origin start;
    private long length;
    private boolean truncated;
    private int expectedSeq;
    private boolean login;
    private long columns = -1;
    private long columnsLeft;
    private long rows;
    private int resultSets;
    private boolean okSeen;
    private long affectedRows;
    private long lastInsertId;
    private int warnings;
    private int errorCode = -1;
    private String sqlState;
    private String errorMessage;
    private long statementId = -1;
    private int params;
    private long defsLeft;
    private String authPlugin;
    private String localInfile;

    MySqlResponseDecoder(ParserOptions options) {
        super(options);
    }

    @Override
    protected Step decode(MessageSink out) {
        if (phase == Phase.TLS) {
            in.skip(in.available());
            return Step.PROGRESS;
        }
        int c = in.contiguous();
        byte[] a = in.array();
        int s = in.start();
        if (phase == Phase.AUTH && !active && (greetingCaps & CLIENT_SSL) != 0 && SqlWire.tlsRecord(a, s, c)) {
            // the client sent an SSL request: the rest of the connection is TLS
            L7Message m = L7Message.builder(L7Protocol.MYSQL, MessageKind.RESPONSE).version("10")
                    .start(in.origin()).endTimestampNs(in.origin().timestampNs()).attribute("tls", "true")
                    .build();
            out.message(m);
            phase = Phase.TLS;
            in.skip(in.available());
            return Step.PROGRESS;
        }
        if (c < HEADER) {
            return needMore(out);
        }
        int len = MySqlPackets.payloadLength(a, s);
        int seq = MySqlPackets.sequence(a, s);
        int have = SqlWire.captured(in, HEADER, len, WANT);
        if (have < 0 || len > 0 && have == 0) {
            return needMore(out);
        }
        long pos = in.position();
        long end = pos + HEADER + len;
        boolean hole = SqlWire.holeWithin(in, HEADER + (long) len);
        int p = s + HEADER;
        if (continuation) {
            if (active) {
                add(len, hole, seq);
            }
            continuation = len == MAX_PAYLOAD;
        } else {
            if (active && continues() && seq != expectedSeq) {
                finish(out, pos, true);
                phase = Phase.FIRST;
            }
            Packet k = new Packet(a, p, len, have, seq, pos, end, hole);
            switch (phase) {
                case START -> start(out, k);
                case LOST -> {
                    if (seq == 1) {
                        phase = Phase.FIRST;
                        first(out, k);
                    }
                }
                case AUTH -> auth(out, k);
                case FIRST -> first(out, k);
                case COLUMNS -> {
                    add(k);
                    if (--columnsLeft <= 0) {
                        phase = Phase.AFTER_COLUMNS;
                    }
                }
                case AFTER_COLUMNS -> {
                    phase = Phase.ROWS;
                    if (k.first() == 0xFE && len == 5) {
                        add(k); // the EOF of clients without CLIENT_DEPRECATE_EOF
                    } else {
                        rows(out, k);
                    }
                }
                case ROWS -> rows(out, k);
                case PREPARE_DEFS -> prepareDefs(out, k);
                case FIELD_LIST -> fieldList(out, k);
                case INFILE -> infile(out, k);
                default -> {
                }
            }
        }
        in.skip(HEADER + (long) len);
        return Step.PROGRESS;
    }

    /** The captured payload of one packet: {@code have} bytes at {@code p} of a {@code len}-byte payload. */
    private record Packet(byte[] a, int p, int len, int have, int seq, long pos, long end, boolean hole) {
        int first() {
            return len == 0 ? -1 : a[p] & 0xFF;
        }
    }

    /** Waits for bytes; when what is missing was not captured, what the response has so far is all it gets. */
    private Step needMore(MessageSink out) {
        if (active && in.contiguous() < in.available()) {
            finish(out, in.position(), true);
        }
        return Step.NEED_MORE;
    }

    private boolean continues() {
        return switch (phase) {
            case COLUMNS, AFTER_COLUMNS, ROWS, PREPARE_DEFS, FIELD_LIST, FIRST -> true;
            default -> false;
        };
    }

    private void start(MessageSink out, Packet k) {
        if (k.seq() == 0 && k.first() == 0x0A) {
            greeting(k);
            phase = Phase.AUTH;
        } else if (k.seq() == 0 && k.first() == 0xFF) {
            add(k); // refused before any greeting (too many connections, host blocked)
            error(k);
            finish(out, k.end(), false);
            phase = Phase.FIRST;
        } else {
            phase = Phase.FIRST;
            first(out, k);
        }
    }

    /** Handshake v10: version NUL, connection id, 8 scramble bytes, filler, capabilities (low 16 bits)… */
    private void greeting(Packet k) {
        byte[] a = k.a();
        int limit = k.p() + k.have();
        int z = SqlWire.nul(a, k.p() + 1, limit);
        if (z < 0) {
            return;
        }
        serverVersion = SqlWire.text(a, k.p() + 1, z - k.p() - 1);
        if (serverVersion.startsWith("5.5.5-") && serverVersion.contains("MariaDB")) {
            serverVersion = serverVersion.substring(6); // MariaDB's prefix for clients that expect a 5.x server
        }
        if (z + 5 <= limit) {
            connectionId = MySqlPackets.u32(a, z + 1);
        }
        int caps = z + 5 + 8 + 1;
        if (caps + 2 <= limit) {
            greetingCaps = MySqlPackets.u16(a, caps);
        }
        if (caps + 7 <= limit) {
            greetingCaps |= (long) MySqlPackets.u16(a, caps + 5) << 16;
        }
    }

    private void auth(MessageSink out, Packet k) {
        add(k);
        login = true;
        switch (k.first()) {
            case 0x00 -> {
                finish(out, k.end(), false);
                phase = Phase.FIRST;
            }
            case 0xFF -> {
                error(k);
                finish(out, k.end(), false);
                phase = Phase.FIRST;
            }
            case 0xFE -> { // auth switch request: plugin name NUL data
                int z = SqlWire.nul(k.a(), k.p() + 1, k.p() + k.have());
                if (z > k.p() + 1) {
                    authPlugin = SqlWire.text(k.a(), k.p() + 1, z - k.p() - 1);
                }
            }
            default -> {
                // 0x01 auth more data, and whatever else the plugin exchanges before OK/ERR
            }
        }
    }

    /** The first packet of a response, or of the next result of a multi-result response. */
    private void first(MessageSink out, Packet k) {
        int f = k.first();
        if (!active && k.seq() == trailerSeq && f == 0xFE && k.len() == 5) {
            trailerSeq = -1;
            return;
        }
        trailerSeq = -1;
        boolean fresh = !active;
        add(k);
        byte[] a = k.a();
        int p = k.p();
        switch (f) {
            case 0x00 -> {
                if (fresh && k.len() == 12 && k.have() == 12 && a[p + 9] == 0) {
                    statementId = MySqlPackets.u32(a, p + 1);
                    columns = MySqlPackets.u16(a, p + 5);
                    params = MySqlPackets.u16(a, p + 7);
                    warnings = MySqlPackets.u16(a, p + 10);
                    defsLeft = columns + params;
                    if (defsLeft == 0) {
                        finish(out, k.end(), false);
                    } else {
                        phase = Phase.PREPARE_DEFS;
                    }
                } else if ((ok(k) & SERVER_MORE_RESULTS_EXISTS) != 0) {
                    resultSets++;
                } else {
                    finish(out, k.end(), false);
                }
            }
            case 0xFF -> {
                if (!progressReport(k)) {
                    error(k);
                    finish(out, k.end(), false);
                }
            }
            case 0xFB -> { // LOCAL INFILE request: the client sends the file, then the server answers OK/ERR
                localInfile = SqlWire.text(a, p + 1, k.have() - 1);
                phase = Phase.INFILE;
            }
            case 0xFE -> {
                if (k.len() < 9) {
                    finish(out, k.end(), false); // a lone EOF: COM_SET_OPTION, COM_DEBUG
                } else {
                    phase = Phase.AUTH; // auth switch after COM_CHANGE_USER
                    auth(out, k);
                }
            }
            default -> resultSetHeader(out, k, f);
        }
    }

    private void resultSetHeader(MessageSink out, Packet k, int f) {
        byte[] a = k.a();
        int p = k.p();
        if (f == 0x03 && k.len() > 4 && k.have() >= 4 && a[p + 1] == 'd' && a[p + 2] == 'e' && a[p + 3] == 'f') {
            columns = 1; // COM_FIELD_LIST: column definitions ("def" catalog) up to EOF, no count first
            phase = Phase.FIELD_LIST;
            return;
        }
        int w = MySqlPackets.lenencWidth(f);
        if (w > 0 && (k.len() == w || k.len() == w + 1) && k.have() >= w) {
            columns = MySqlPackets.lenenc(a, p);
            columnsLeft = columns;
            phase = columns > 0 ? Phase.COLUMNS : Phase.AFTER_COLUMNS;
        } else {
            finish(out, k.end(), false); // a bare text answer (COM_STATISTICS)
        }
    }

    private void rows(MessageSink out, Packet k) {
        add(k);
        int f = k.first();
        if (f == 0xFF && !progressReport(k)) {
            error(k);
            finish(out, k.end(), false);
        } else if (f == 0xFE && k.len() < MAX_PAYLOAD) {
            int status = k.len() == 5 && k.have() == 5 ? MySqlPackets.u16(k.a(), k.p() + 3) : ok(k);
            if ((status & SERVER_MORE_RESULTS_EXISTS) != 0) {
                resultSets++;
                phase = Phase.FIRST;
            } else {
                finish(out, k.end(), false);
            }
        } else {
            rows++;
            continuation = k.len() == MAX_PAYLOAD;
        }
    }

    private void prepareDefs(MessageSink out, Packet k) {
        add(k);
        if (k.first() == 0xFE && k.len() == 5) {
            return; // EOF after the parameter definitions
        }
        if (--defsLeft <= 0) {
            trailerSeq = (k.seq() + 1) & 0xFF;
            finish(out, k.end(), false);
        }
    }

    private void fieldList(MessageSink out, Packet k) {
        add(k);
        if (k.first() == 0xFF) {
            error(k);
            finish(out, k.end(), false);
        } else if (k.first() == 0xFE && k.len() < 9) {
            finish(out, k.end(), false);
        } else {
            columns++;
        }
    }

    private void infile(MessageSink out, Packet k) {
        if (k.first() == 0x00) {
            add(k);
            ok(k);
            finish(out, k.end(), false);
        } else if (k.first() == 0xFF) {
            add(k);
            error(k);
            finish(out, k.end(), false);
        }
    }

    /** MariaDB's progress report travels as an ERR with code 0xffff; it is not the answer. */
    private static boolean progressReport(Packet k) {
        return k.have() >= 3 && MySqlPackets.u16(k.a(), k.p() + 1) == 0xFFFF;
    }

    /** Reads an OK packet (0x00 or 0xfe header) into the response; returns its status flags. */
    private int ok(Packet k) {
        byte[] a = k.a();
        int i = k.p() + 1;
        int limit = k.p() + k.have();
        okSeen = true;
        if (i >= limit) {
            return 0;
        }
        int w1 = MySqlPackets.lenencWidth(a[i] & 0xFF);
        if (w1 < 0 || i + w1 >= limit) {
            return 0;
        }
        affectedRows += MySqlPackets.lenenc(a, i);
        i += w1;
        int w2 = MySqlPackets.lenencWidth(a[i] & 0xFF);
        if (w2 < 0 || i + w2 + 4 > limit) {
            return 0;
        }
        long id = MySqlPackets.lenenc(a, i);
        if (id != 0) {
            lastInsertId = id;
        }
        i += w2;
        warnings += MySqlPackets.u16(a, i + 2);
        return MySqlPackets.u16(a, i);
    }

    /** ERR: 0xff, code (2), then '#' + SQLSTATE (5) in the 4.1 protocol, then the message. */
    private void error(Packet k) {
        byte[] a = k.a();
        int p = k.p();
        if (k.have() < 3) {
            errorCode = 0;
            return;
        }
        errorCode = MySqlPackets.u16(a, p + 1);
        int msg = p + 3;
        if (k.have() >= 9 && a[p + 3] == '#') {
            sqlState = SqlWire.text(a, p + 4, 5);
            msg = p + 9;
        }
        errorMessage = SqlWire.text(a, msg, p + k.have() - msg);
    }

    private void add(Packet k) {
        add(k.len(), k.hole(), k.seq());
        if (start == null) {
            start = in.origin(k.pos());
        }
    }

    private void add(int len, boolean hole, int seq) {
        if (!active) {
            active = true;
            start = null;
        }
        length += HEADER + len;
        truncated |= hole;
        expectedSeq = (seq + 1) & 0xFF;
    }

    private void finish(MessageSink out, long end, boolean cut) {
        L7Message.Builder b = L7Message.builder(L7Protocol.MYSQL, MessageKind.RESPONSE).version("10")
                .start(start == null ? in.origin() : start).endTimestampNs(in.endTimestampNs(end))
                .length(length).truncated(truncated || cut);
        if (errorCode >= 0) {
            b.responseCode(errorCode).responseStatus(MySqlErrors.status(errorCode, sqlState))
                    .responseException(sqlState == null ? errorMessage : sqlState + ": " + errorMessage)
                    .attribute("sql_state", sqlState);
        } else {
            b.responseStatus(cut ? ResponseStatus.UNKNOWN : ResponseStatus.OK);
        }
        if (login) {
            b.attribute("server_version", serverVersion)
                    .attribute("connection_id", connectionId < 0 ? null : Long.toString(connectionId))
                    .attribute("auth_plugin", authPlugin);
        }
        if (statementId >= 0) {
            b.attribute("statement_id", Long.toString(statementId)).attribute("param_count", Integer.toString(params));
        }
        if (columns >= 0) {
            b.attribute("column_count", Long.toString(columns));
            if (statementId < 0 && phase != Phase.FIELD_LIST) {
                b.attribute("row_count", Long.toString(rows));
            }
        }
        if (okSeen && !login) {
            b.attribute("affected_rows", Long.toString(affectedRows));
            if (lastInsertId != 0) {
                b.attribute("last_insert_id", Long.toString(lastInsertId));
            }
        }
        if (warnings > 0) {
            b.attribute("warnings", Integer.toString(warnings));
        }
        if (resultSets > 0) {
            b.attribute("result_sets", Integer.toString(resultSets + 1));
        }
        b.attribute("local_infile", localInfile);
        out.message(b.build());
        clear();
        phase = Phase.FIRST;
    }

    private void clear() {
        active = false;
        start = null;
        length = 0;
        truncated = false;
        login = false;
        columns = -1;
        columnsLeft = 0;
        rows = 0;
        resultSets = 0;
        okSeen = false;
        affectedRows = 0;
        lastInsertId = 0;
        warnings = 0;
        errorCode = -1;
        sqlState = null;
        errorMessage = null;
        statementId = -1;
        params = 0;
        defsLeft = 0;
        authPlugin = null;
        localInfile = null;
    }

    @Override
    protected void reset() {
        clear();
        continuation = false;
        trailerSeq = -1;
        if (phase != Phase.START && phase != Phase.TLS) {
            phase = Phase.LOST;
        }
    }

    /*
     * State format 1: between responses (none being assembled, no payload continuing), where a checkpoint finds
     * nearly every open connection: the buffer, the connection phase, what the greeting said and a prepare
     * response's possible trailing EOF. A response part-way stays in Java serialization.
     */
    private static final int FORMAT_BETWEEN_RESPONSES = 1;
    /** Phases by their code in format 1 (never by ordinal). */
    private static final Phase[] PHASE_CODES = {Phase.START, Phase.AUTH, Phase.FIRST, Phase.COLUMNS,
        Phase.AFTER_COLUMNS, Phase.ROWS, Phase.PREPARE_DEFS, Phase.FIELD_LIST, Phase.INFILE, Phase.LOST, Phase.TLS};

    @Override
    public int stateFormat() {
        return !active && !continuation && StateFormats.code(PHASE_CODES, phase) >= 0 ? FORMAT_BETWEEN_RESPONSES : 0;
    }

    @Override
    protected void writeStateFields(DataOutput out) throws IOException {
        out.writeByte(StateFormats.code(PHASE_CODES, phase));
        out.writeLong(greetingCaps);
        StateFormats.writeString(out, serverVersion);
        out.writeLong(connectionId);
        out.writeInt(trailerSeq);
    }

    @Override
    protected void readStateFields(DataInput from, int format) throws IOException {
        StateFormats.require(format, FORMAT_BETWEEN_RESPONSES, "MySQL response");
        phase = StateFormats.fromCode(PHASE_CODES, from.readUnsignedByte(), "MySQL response phase");
        greetingCaps = from.readLong();
        serverVersion = StateFormats.readString(from);
        connectionId = from.readLong();
        trailerSeq = from.readInt();
    }

    @Override
    protected void onClose(MessageSink out) {
        if (active) {
            finish(out, in.end(), true);
        }
    }
}
