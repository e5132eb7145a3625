package io.tapflow.localstack.clickhouse;

import com.clickhouse.client.api.Client;
import io.tapflow.localstack.process.FreePorts;
import io.tapflow.localstack.process.HealthCheck;
import io.tapflow.localstack.process.InstanceDir;
import io.tapflow.localstack.process.ManagedProcess;
import io.tapflow.localstack.process.SharedInstance;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real ClickHouse server (Debian's {@code clickhouse-server}) as a local process. Everything it writes — data,
 * tmp, user files, format schemas, logs, preprocessed configs — lives in its instance directory; it listens on
 * 127.0.0.1 only, on free ports, as user {@code default} without a password. Our own minimal config.xml and
 * users.xml are written into {@code <dir>/config/} on every start (ports change between starts), so nothing in
 * /etc/clickhouse-server or /var is read or written.
 *
 * <p>Layout: {@code config/}, {@code data/} (ClickHouse's {@code <path>}: it deletes unknown files there, so nothing
 * else goes in it), {@code tmp/}, {@code user_files/}, {@code format_schemas/}, {@code log/}.
 */
public final class ClickHouseServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseServer.class);
    public static final String BINARY = "clickhouse-server";
    public static final String USER = "default";

    private static final SharedInstance<ClickHouseServer> SHARED = new SharedInstance<>("clickhouse-server", ClickHouseServer::start);

    private final InstanceDir dir;
    private final ManagedProcess process;
    private final int httpPort;
    private final int tcpPort;
    private final int interserverPort;
    private final ClickHouseHttp http;

    private ClickHouseServer(InstanceDir dir, ManagedProcess process, int httpPort, int tcpPort, int interserverPort) {
        this.dir = dir;
        this.process = process;
        this.httpPort = httpPort;
        this.http = new ClickHouseHttp(httpUrl(), null, USER, "");
        this.tcpPort = tcpPort;
        this.interserverPort = interserverPort;
    }

    /** A server on a temporary directory that {@link #close()} deletes. */
    public static ClickHouseServer start() {
        return start(InstanceDir.temporary("clickhouse"));
    }

    /** A server whose data lives in {@code dataDir} and survives {@link #close()} (restart finds it again). */
    public static ClickHouseServer start(Path dataDir) {
        return start(InstanceDir.kept(dataDir));
    }

    private static ClickHouseServer start(InstanceDir dir) {
        return ManagedProcess.launch(dir, BINARY, "Debian package clickhouse-server", binary -> startOnce(binary, dir));
    }

    private static ClickHouseServer startOnce(Path binary, InstanceDir dir) {
        int[] ports = FreePorts.find(3);
        int http = ports[0];
        int tcp = ports[1];
        int interserver = ports[2];
        Path log = dir.dir("log");
        Path users = dir.write("config/users.xml", usersXml());
        Path config = dir.write("config/config.xml", configXml(dir, http, tcp, interserver, users));
        ManagedProcess process = ManagedProcess.builder("clickhouse-server")
                .command(binary, List.of("--config-file=" + config))
                .workDir(dir.root())
                .logDir(log)
                .extraLog(log.resolve("clickhouse-server.err.log"))
                .healthCheck(HealthCheck.httpGet(URI.create("http://127.0.0.1:" + http + "/ping"), "Ok."))
                .startTimeout(Duration.ofSeconds(60))
                .stopTimeout(Duration.ofSeconds(30))
                .start();
        ClickHouseServer server = new ClickHouseServer(dir, process, http, tcp, interserver);
        LOG.info("ClickHouse up at {} (tcp {}, dir {})", server.httpUrl(), tcp, dir.root());
        return server;
    }

    /** One server per JVM, started on first use and stopped by a shutdown hook. */
    public static ClickHouseServer shared() {
        return SHARED.get();
    }

    public String httpUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    public int httpPort() {
        return httpPort;
    }

    public int tcpPort() {
        return tcpPort;
    }

    public int interserverPort() {
        return interserverPort;
    }

    public Path directory() {
        return dir.root();
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * A client-v2 client for this server with {@code database} as default database (also passed as the
     * {@code database} URL parameter, which is what 18.16 reads). Compression is off both ways: ClickHouse 18.16
     * cannot do what client-v2 expects of it otherwise (FINDINGS). The caller closes it.
     */
    public Client newClient(String database) {
        return new Client.Builder()
                .addEndpoint(httpUrl())
                .setUsername(USER)
                .setPassword("")
                .setDefaultDatabase(database)
                // 18.16 ignores the X-ClickHouse-Database header client-v2 sends; it reads the ?database= parameter
                .serverSetting("database", database)
                .compressServerResponse(false)
                .compressClientRequest(false)
                .build();
    }

    /**
     * Runs one statement over HTTP and returns the response body (name a FORMAT in the statement to choose its
     * shape). A non-200 answer throws with the server's message.
     */
    public String query(String sql) {
        return http.query(sql);
    }

    /** Stops the server (SIGTERM, then SIGKILL after 30 s) and deletes a temporary directory. */
    @Override
    public void close() {
        try {
            process.close();
        } finally {
            dir.close();
        }
    }

    private static String configXml(InstanceDir dir, int http, int tcp, int interserver, Path users) {
        Path root = dir.root();
        // Paths end with '/': ClickHouse concatenates them with file names.
        return """
                <?xml version="1.0"?>
                <!-- written by tapflow local-stack; rewritten on every start -->
                <yandex>
                    <logger>
                        <level>information</level>
                        <log>%1$s/log/clickhouse-server.log</log>
                        <errorlog>%1$s/log/clickhouse-server.err.log</errorlog>
                        <size>100M</size>
                        <count>3</count>
                    </logger>
                    <listen_host>127.0.0.1</listen_host>
                    <http_port>%2$d</http_port>
                    <tcp_port>%3$d</tcp_port>
                    <interserver_http_port>%4$d</interserver_http_port>
                    <interserver_http_host>127.0.0.1</interserver_http_host>
                    <path>%1$s/data/</path>
                    <tmp_path>%1$s/tmp/</tmp_path>
                    <user_files_path>%1$s/user_files/</user_files_path>
                    <format_schema_path>%1$s/format_schemas/</format_schema_path>
                    <users_config>%5$s</users_config>
                    <default_profile>default</default_profile>
                    <default_database>default</default_database>
                    <timezone>UTC</timezone>
                    <max_connections>256</max_connections>
                    <keep_alive_timeout>3</keep_alive_timeout>
                    <max_concurrent_queries>100</max_concurrent_queries>
                    <uncompressed_cache_size>268435456</uncompressed_cache_size>
                    <mark_cache_size>268435456</mark_cache_size>
                    <mlock_executable>false</mlock_executable>
                    <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
                    <max_session_timeout>3600</max_session_timeout>
                    <default_session_timeout>60</default_session_timeout>
                </yandex>
                """.formatted(root, http, tcp, interserver, users);
    }

    private static String usersXml() {
        return """
                <?xml version="1.0"?>
                <!-- written by tapflow local-stack: user default, no password, loopback only -->
                <yandex>
                    <profiles>
                        <default>
                            <max_memory_usage>4000000000</max_memory_usage>
                            <use_uncompressed_cache>0</use_uncompressed_cache>
                            <load_balancing>random</load_balancing>
                        </default>
                    </profiles>
                    <users>
                        <default>
                            <password></password>
                            <networks>
                                <ip>::1</ip>
                                <ip>127.0.0.1</ip>
                            </networks>
                            <profile>default</profile>
                            <quota>default</quota>
                        </default>
                    </users>
                    <quotas>
                        <default>
                            <interval>
                                <duration>3600</duration>
                                <queries>0</queries>
                                <errors>0</errors>
                                <result_rows>0</result_rows>
                                <read_rows>0</read_rows>
                                <execution_time>0</execution_time>
                            </interval>
                        </default>
                    </quotas>
                </yandex>
                """;
    }
}
