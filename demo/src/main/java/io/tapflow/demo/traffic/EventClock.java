package io.tapflow.demo.traffic;

import io.tapflow.localstack.process.Binaries;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Keeps event time moving after the demo traffic: tapflow's windows (1-minute RED and map windows, the traces'
 * completion timeout) close when the jobs' watermarks pass them, and watermarks only move with new captured events.
 * So while the demo waits for its results, {@code redis-cli PING} runs every half second against a Redis of its own
 * (so the demo Redis' numbers stay the catalog's) — a process of its own, since the collector leaves the demo's
 * process out, and a new connection each time, so new sockets spread over both partitions of the raw topics and
 * neither sits idle. It shows in the map as its own edge (redis-cli → redis-server) and is not part of the demo's
 * counted traffic.
 */
public final class EventClock implements AutoCloseable {

    private final Thread thread;
    private volatile boolean stop;

    public EventClock(int redisPort) {
        Path cli = Binaries.locate("redis-cli", "Debian package redis-tools");
        thread = new Thread(() -> {
            while (!stop) {
                try {
                    Process p = new ProcessBuilder(cli.toString(), "-h", "127.0.0.1", "-p", Integer.toString(redisPort),
                            "PING").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                    if (!p.waitFor(5, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                    Thread.sleep(500);
                } catch (IOException e) {
                    return;
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "demo-clock");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.interrupt();
        thread.join(10_000);
    }
}
