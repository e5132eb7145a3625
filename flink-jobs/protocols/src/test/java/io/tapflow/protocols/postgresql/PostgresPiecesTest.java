package io.tapflow.protocols.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.protocols.FlowDirection;
import io.tapflow.protocols.ParserOptions;
import io.tapflow.protocols.ProtocolParser;
import io.tapflow.schema.ResponseStatus;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PostgresPiecesTest {

    @Test
    void errorsAreClassifiedBySqlStateClass() {
        assertThat(PostgresErrors.status("42601")).isEqualTo(ResponseStatus.CLIENT_ERROR);
        assertThat(PostgresErrors.status("22012")).isEqualTo(ResponseStatus.CLIENT_ERROR);
        assertThat(PostgresErrors.status("23505")).isEqualTo(ResponseStatus.CLIENT_ERROR);
        assertThat(PostgresErrors.status("28P01")).isEqualTo(ResponseStatus.CLIENT_ERROR);
        assertThat(PostgresErrors.status("53100")).isEqualTo(ResponseStatus.SERVER_ERROR);
        assertThat(PostgresErrors.status("57014")).isEqualTo(ResponseStatus.SERVER_ERROR);
        assertThat(PostgresErrors.status("58030")).isEqualTo(ResponseStatus.SERVER_ERROR);
        assertThat(PostgresErrors.status("XX000")).isEqualTo(ResponseStatus.SERVER_ERROR);
        assertThat(PostgresErrors.status(null)).isEqualTo(ResponseStatus.UNKNOWN);
    }

    @Test
    void detectsStartupAndSslRequestButNotText() {
        PostgresParser parser = new PostgresParser(ParserOptions.DEFAULTS);
        byte[] ssl = {0, 0, 0, 8, 0x04, (byte) 0xD2, 0x16, 0x2F};
        assertThat(parser.matches(ssl, 0, ssl.length, FlowDirection.CLIENT_TO_SERVER)).isEqualTo(ProtocolParser.HIGH);
        byte[] startup = {0, 0, 0, 9, 0, 3, 0, 0, 0};
        assertThat(parser.matches(startup, 0, startup.length, FlowDirection.CLIENT_TO_SERVER))
                .isEqualTo(ProtocolParser.HIGH);
        byte[] http = "GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(parser.matches(http, 0, http.length, FlowDirection.CLIENT_TO_SERVER)).isEqualTo(ProtocolParser.NO);
        assertThat(parser.matches(http, 0, http.length, FlowDirection.SERVER_TO_CLIENT)).isEqualTo(ProtocolParser.NO);
    }
}
