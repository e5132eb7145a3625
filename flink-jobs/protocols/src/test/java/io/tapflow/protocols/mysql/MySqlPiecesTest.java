package io.tapflow.protocols.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.ParserOptions;
import io.tapflow.protocols.ProtocolParser;
import io.tapflow.schema.ResponseStatus;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MySqlPiecesTest {

    @Test
    void errorsAreClassifiedBySqlStateClassAndAFewCodes() {
        assertThat(MySqlErrors.status(1064, "42000")).isEqualTo(ResponseStatus.CLIENT_ERROR);
        assertThat(MySqlErrors.status(1146, "42S02")).isEqualTo(ResponseStatus.CLIENT_ERROR);
        assertThat(MySqlErrors.status(1045, "28000")).isEqualTo(ResponseStatus.CLIENT_ERROR);
        assertThat(MySqlErrors.status(1062, "23000")).isEqualTo(ResponseStatus.CLIENT_ERROR);
        assertThat(MySqlErrors.status(1213, "40001")).isEqualTo(ResponseStatus.SERVER_ERROR);
        assertThat(MySqlErrors.status(1205, "HY000")).isEqualTo(ResponseStatus.SERVER_ERROR);
        assertThat(MySqlErrors.status(1364, "HY000")).isEqualTo(ResponseStatus.CLIENT_ERROR);
        assertThat(MySqlErrors.status(1040, null)).isEqualTo(ResponseStatus.SERVER_ERROR);
        assertThat(MySqlErrors.status(1130, null)).isEqualTo(ResponseStatus.CLIENT_ERROR);
        assertThat(MySqlErrors.status(9999, null)).isEqualTo(ResponseStatus.UNKNOWN);
    }

    @Test
    void sqlPrepareAndExecuteImmediateUseUpAStatementId() {
        assertThat(creates("PREPARE s FROM 'SELECT 1'")).isTrue();
        assertThat(creates("  prepare s FROM 'SELECT 1'")).isTrue();
        assertThat(creates("EXECUTE IMMEDIATE 'SELECT 1'")).isTrue();
        assertThat(creates("EXECUTE s USING @i")).isFalse();
        assertThat(creates("PREPARED_TABLE")).isFalse();
        assertThat(creates("SELECT 1")).isFalse();
    }

    private static boolean creates(String sql) {
        byte[] b = sql.getBytes(StandardCharsets.UTF_8);
        return MySqlRequestDecoder.createsStatement(b, 0, b.length);
    }

    @Test
    void lengthEncodedIntegers() {
        byte[] b = {(byte) 0xFC, 0x34, 0x12, (byte) 0xFD, 1, 2, 3, 0x05};
        assertThat(MySqlPackets.lenencWidth(0xFC)).isEqualTo(3);
        assertThat(MySqlPackets.lenenc(b, 0)).isEqualTo(0x1234);
        assertThat(MySqlPackets.lenenc(b, 3)).isEqualTo(0x030201);
        assertThat(MySqlPackets.lenenc(b, 7)).isEqualTo(5);
        assertThat(MySqlPackets.lenencWidth(0xFB)).isEqualTo(-1);
    }

    @Test
    void detectsAQueryPacketButNotText() {
        MySqlParser parser = new MySqlParser(ParserOptions.DEFAULTS);
        byte[] query = {9, 0, 0, 0, 3, 'S', 'E', 'L', 'E', 'C', 'T', ' ', '1'};
        assertThat(parser.matches(query, 0, query.length, FlowDirection.CLIENT_TO_SERVER))
                .isGreaterThanOrEqualTo(ProtocolParser.MEDIUM);
        byte[] http = "GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(parser.matches(http, 0, http.length, FlowDirection.CLIENT_TO_SERVER)).isEqualTo(ProtocolParser.NO);
        assertThat(parser.matches(http, 0, http.length, FlowDirection.SERVER_TO_CLIENT)).isEqualTo(ProtocolParser.NO);
    }
}
