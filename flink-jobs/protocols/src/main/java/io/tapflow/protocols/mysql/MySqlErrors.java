package io.tapflow.protocols.mysql;

import io.tapflow.schema.ResponseStatus;

/**
 * Who is to blame for a MySQL/MariaDB ERR packet.
 *
 * <p>Error code ranges do not say it: the server's own codes (1000–1999, 3000–4999 in MySQL, 1900–1999 and
 * 4000+ in MariaDB) mix "you wrote bad SQL" with "the disk is full", and 2000–2999 are client-library codes that
 * never travel on the wire. The SQLSTATE the server sends with every 4.1 ERR does, by its class (SQL standard,
 * the same classes PostgreSQL uses):
 * <ul>
 *   <li>CLIENT_ERROR — 42 syntax error or access rule (1064 syntax, 1146 unknown table, 1054 unknown column,
 *       1044 access denied to a database), 28 invalid authorization (1045 access denied), 22 data exception,
 *       23 integrity constraint (1062 duplicate key), 21 cardinality, 0A feature not supported, 3D invalid
 *       database name, 24/25 invalid cursor or transaction state, 44 WITH CHECK OPTION, 02 no data;</li>
 *   <li>SERVER_ERROR — 08 connection exception (1040 too many connections, 1053 shutdown), 40 transaction
 *       rollback (1213 deadlock), 70 interrupted (1317), 53/57/58/XX, and HY000, MySQL's catch-all that mostly
 *       carries engine and resource failures (1205 lock wait timeout, 1030 engine error, 1021 disk full) — except
 *       the few HY000 codes a client's statement causes (listed below).</li>
 * </ul>
 * An ERR without a SQLSTATE (sent before the capabilities are agreed, e.g. instead of the greeting) is classified
 * by its code where known, otherwise UNKNOWN.
 */
final class MySqlErrors {

    private MySqlErrors() {
    }

    static ResponseStatus status(int code, String sqlState) {
        if (sqlState == null || sqlState.length() != 5) {
            return switch (code) {
                case 1040, 1041, 1053 -> ResponseStatus.SERVER_ERROR; // too many connections, out of memory, shutdown
                case 1044, 1045, 1129, 1130 -> ResponseStatus.CLIENT_ERROR; // denied, host blocked
                default -> ResponseStatus.UNKNOWN;
            };
        }
        String cls = sqlState.substring(0, 2);
        return switch (cls) {
            case "42", "28", "22", "23", "21", "0A", "3D", "24", "25", "44", "02" -> ResponseStatus.CLIENT_ERROR;
            case "HY" -> clientCausedHy000(code) ? ResponseStatus.CLIENT_ERROR : ResponseStatus.SERVER_ERROR;
            default -> ResponseStatus.SERVER_ERROR;
        };
    }

    /** HY000 codes the statement itself causes: no default for a field, unknown/ill-used prepared statement, safe update. */
    private static boolean clientCausedHy000(int code) {
        return switch (code) {
            case 1364, 1243, 1210, 1295, 1175, 1366, 1292 -> true;
            default -> false;
        };
    }
}
