package io.tapflow.protocols.postgresql;

import io.tapflow.protocols.sql.SqlWire;

/**
 * The message layer of the PostgreSQL v3 protocol shared by both directions: a type byte and a 4-byte big-endian
 * length that counts itself but not the type byte (the startup-phase messages have no type byte), and the protocol's
 * constants (C strings and the bounded SQL text are {@link SqlWire}'s).
 */
final class PostgresMessages {

    /** Type byte + length. */
    static final int HEADER = 5;
    static final int PROTOCOL_3_0 = 196_608;
    static final int SSL_REQUEST = 80_877_103;
    static final int GSSENC_REQUEST = 80_877_104;
    static final int CANCEL_REQUEST = 80_877_102;
    /** Body bytes a decoder looks at: statement and portal names plus the kept SQL. */
    static final int PREFIX = 256 + 4 * SqlWire.MAX_SQL_CHARS;

    private PostgresMessages() {
    }
}
