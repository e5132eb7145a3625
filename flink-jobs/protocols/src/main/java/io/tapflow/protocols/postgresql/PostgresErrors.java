package io.tapflow.protocols.postgresql;

import io.tapflow.schema.ResponseStatus;

/**
 * Who is to blame for an ErrorResponse, by the class of its SQLSTATE (PostgreSQL Appendix A):
 * <ul>
 *   <li>CLIENT_ERROR — the request was wrong: 42 syntax error or access rule violation (42601, 42P01 undefined
 *       table, 42501 insufficient privilege), 22 data exception, 23 integrity constraint violation (23505 unique),
 *       28 invalid authorization (28P01 wrong password), 3D invalid catalog name (database does not exist),
 *       3F invalid schema name, 0A feature not supported, 21 cardinality, 24/25/26/34 invalid cursor, transaction
 *       state, statement or cursor name, 2B/2D/2F/38/39/3B/44 SQL-routine and transaction misuse;</li>
 *   <li>SERVER_ERROR — the server could not do it: 53 insufficient resources, 54 program limit exceeded,
 *       55 object not in prerequisite state (lock not available), 57 operator intervention (57014 canceled by
 *       statement_timeout, 57P01 admin shutdown), 58 system error, XX internal error, 08 connection exception,
 *       40 transaction rollback (serialization failure, deadlock), F0 configuration file, HV foreign data wrapper,
 *       P0 PL/pgSQL — and any class not listed, since the server raised it.</li>
 * </ul>
 */
final class PostgresErrors {

    private PostgresErrors() {
    }

    static ResponseStatus status(String sqlState) {
        if (sqlState == null || sqlState.length() != 5) {
            return ResponseStatus.UNKNOWN;
        }
        return switch (sqlState.substring(0, 2)) {
            case "42", "22", "23", "28", "3D", "3F", "0A", "21", "24", "25", "26", "34", "2B", "2D", "2F", "38", "39",
                 "3B", "44" -> ResponseStatus.CLIENT_ERROR;
            default -> ResponseStatus.SERVER_ERROR;
        };
    }
}
