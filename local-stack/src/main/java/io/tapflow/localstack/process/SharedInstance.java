package io.tapflow.localstack.process;

import java.util.function.Supplier;

/**
 * One server per JVM, started on first use and closed by a shutdown hook: what every runner's {@code shared()}
 * returns, so test classes of one JVM share a broker, a ClickHouse and a Prometheus instead of starting their own.
 */
public final class SharedInstance<T extends AutoCloseable> {

    private final String name;
    private final Supplier<T> start;
    private T instance;

    public SharedInstance(String name, Supplier<T> start) {
        this.name = name;
        this.start = start;
    }

    public synchronized T get() {
        if (instance == null) {
            T started = start.get();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(started), name + "-shutdown"));
            instance = started;
        }
        return instance;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // the JVM is exiting; the runner's own close logs what went wrong
        }
    }
}
