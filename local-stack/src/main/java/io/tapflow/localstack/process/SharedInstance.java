package io.tapflow.localstack.process;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server per JVM, started on first use: what every runner's {@code shared()} returns, so test classes of one
 * JVM share a broker, a ClickHouse and a Prometheus instead of starting their own.
 *
 * <p>Test runs close them with {@link #closeAll()} when the test session ends (see the local-stack test
 * {@code SharedServersSessionListener}), before the JVM exits. A single shutdown hook closes what is still open
 * otherwise, newest first and one after another: JVM shutdown hooks run concurrently, and a broker shutting down
 * while the hook of another server deletes files under it is how a test JVM that passed every test can still exit
 * non-zero.
 */
public final class SharedInstance<T extends AutoCloseable> {

    private static final Logger LOG = LoggerFactory.getLogger(SharedInstance.class);

    /** Started instances, newest first. */
    private static final Deque<SharedInstance<?>> STARTED = new ArrayDeque<>();
    private static boolean hookInstalled;

    private final String name;
    private final Supplier<T> start;
    private T instance;

    public SharedInstance(String name, Supplier<T> start) {
        this.name = name;
        this.start = start;
    }

    public synchronized T get() {
        if (instance == null) {
            instance = start.get();
            register(this);
        }
        return instance;
    }

    /** Closes every started shared instance, newest first; a later {@link #get()} starts a new one. */
    public static void closeAll() {
        List<SharedInstance<?>> open;
        synchronized (STARTED) {
            open = new ArrayList<>(STARTED);
            STARTED.clear();
        }
        for (SharedInstance<?> s : open) {
            LOG.info("closing the shared {}", s.name);
            s.closeInstance();
        }
    }

    private synchronized void closeInstance() {
        if (instance == null) {
            return;
        }
        try {
            instance.close();
        } catch (Exception e) {
            LOG.warn("shared {} did not close cleanly: {}", name, e.toString());
        } finally {
            instance = null;
        }
    }

    private static void register(SharedInstance<?> started) {
        synchronized (STARTED) {
            STARTED.addFirst(started);
            if (!hookInstalled) {
                Runtime.getRuntime().addShutdownHook(new Thread(SharedInstance::closeAll, "shared-servers-shutdown"));
                hookInstalled = true;
            }
        }
    }
}
