package io.tapflow.collector.bpf;

import io.tapflow.localstack.process.Binaries;
import io.tapflow.localstack.process.FreePorts;
import io.tapflow.localstack.process.HealthCheck;
import io.tapflow.localstack.process.InstanceDir;
import io.tapflow.localstack.process.ManagedProcess;
import java.net.URI;
import java.util.List;

/**
 * A real nginx (Debian nginx-light) on 127.0.0.1 and [::1], one process (master_process off, so the pid that
 * serves is the pid we started), everything it writes under a temporary directory.
 */
public final class NginxServer implements AutoCloseable {

    public static final String BODY = "hello from nginx\n";

    public final int port;
    private final InstanceDir dir;
    private final ManagedProcess process;

    private NginxServer(InstanceDir dir, int port, ManagedProcess process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    public static NginxServer start() {
        InstanceDir dir = InstanceDir.temporary("nginx-bpf-it");
        return ManagedProcess.launch(dir, "nginx", "nginx-light", binary -> {
            int port = FreePorts.find();
            String root = dir.root().toString();
            dir.write("nginx.conf", """
                    master_process off;
                    daemon off;
                    pid %1$s/nginx.pid;
                    error_log %1$s/error.log;
                    events { worker_connections 64; }
                    http {
                        access_log off;
                        client_body_temp_path %1$s/body;
                        proxy_temp_path %1$s/proxy;
                        fastcgi_temp_path %1$s/fastcgi;
                        uwsgi_temp_path %1$s/uwsgi;
                        scgi_temp_path %1$s/scgi;
                        server {
                            listen 127.0.0.1:%2$d;
                            listen [::1]:%2$d;
                            location / { return 200 "%3$s"; }
                        }
                    }
                    """.formatted(root, port, BODY.replace("\n", "\\n")));
            ManagedProcess process = ManagedProcess.builder("nginx")
                    .command(binary, List.of("-p", root, "-c", root + "/nginx.conf", "-e", root + "/error.log"))
                    .workDir(dir.root())
                    .logDir(dir.root())
                    .extraLog(dir.root().resolve("error.log"))
                    .healthCheck(HealthCheck.httpGet(URI.create("http://127.0.0.1:" + port + "/"), "hello"))
                    .start();
            return new NginxServer(dir, port, process);
        });
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.close();
        dir.close();
    }

    public static String curl() {
        return Binaries.locate("curl", "curl").toString();
    }
}
